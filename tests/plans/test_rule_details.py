"""Details of the plan rules that the tables elsewhere left open, each found by a
surviving mutant (scripts/mutation.sh, docs/mutation.md): the bounds of a promo code,
what a decision names, the catalogue's fallbacks and its file, the messages of refusals."""
from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal as D

import pytest

from plans import Catalogue, Outcome, entitlements, feature_switch_on, load_catalogue, plan_change
from plans.catalogue import DEFAULT_CATALOGUE_PATH, Plan
from plans.localtime import require_aware
from plans.pricing import Promo, quote
from plans.quota import period_starts_at


@pytest.mark.parametrize("kind, value", [("percent", D("0")), ("percent", D("100")), ("amount", D("0")),
                                         ("amount", D("5000"))])
def test_a_promo_may_take_nothing_off_or_everything(kind, value):
    assert Promo("EDGE", kind, value).value == value


@pytest.mark.parametrize("kind, value, message", [
    ("percent", D("100.01"), r"^promo value out of range: 100.01$"),
    ("percent", D("-0.01"), r"^promo value out of range: -0.01$"),
    ("amount", D("-1"), r"^promo value out of range: -1$"),
    ("gift", D("1"), r"^promo kind must be 'percent' or 'amount', got 'gift'$"),
])
def test_a_promo_out_of_bounds_is_refused_saying_why(kind, value, message):
    with pytest.raises(ValueError, match=message):
        Promo("EDGE", kind, value)


def test_a_quote_names_the_plan_and_period_it_prices(catalogue):
    q = quote(catalogue["standard"], 24, reverse_charge=False, today=date(2026, 11, 20))
    assert (q.plan_code, q.period_months) == ("standard", 24)


def test_decisions_name_the_plan_they_are_about(catalogue):
    free, standard, pro = catalogue["free"], catalogue["standard"], catalogue["pro"]
    moved = plan_change(free, pro, enabled_features=set(), active_users=1, trial_active=True)
    assert (moved.outcome, moved.plan) == (Outcome.SWITCH_NOW, pro)
    refused = plan_change(pro, free, enabled_features=set(), active_users=50, trial_active=True)
    assert (refused.outcome, refused.plan) == (Outcome.REFUSED, free)
    assert refused.blockers
    assert plan_change(standard, pro, enabled_features=set(), active_users=1,
                       trial_active=False).plan == pro


def test_entitlements_say_whether_the_trial_runs_and_follow_the_paid_plan(catalogue):
    paid = entitlements(catalogue["free"], catalogue, trial_active=False, paid_plan_code="standard")
    assert paid.plan.code == "standard" and paid.trial_active is False
    trial = entitlements(catalogue["pro"], catalogue, trial_active=True, paid_plan_code=None)
    assert trial.plan.code == "pro" and trial.trial_active is True


def test_switching_on_an_unknown_feature_is_refused(catalogue):
    with pytest.raises(ValueError, match="unknown feature 'teleportation'"):
        feature_switch_on("teleportation", catalogue["free"], catalogue, trial_active=True)


def test_an_unknown_plan_code_is_a_key_error_naming_it(catalogue):
    with pytest.raises(KeyError) as missing:
        catalogue["platinum"]
    assert missing.value.args == ("platinum",)


def test_a_plan_and_a_feature_are_named_in_the_language_asked_then_english_then_by_key(catalogue):
    plan = Plan.from_dict({"code": "basic", "names": {"en": "Basic", "pl": "Podstawowy"}, "price_per_year": "10",
                           "documents_per_month": 5, "users": 1, "features": []})
    assert (plan.name("pl"), plan.name("de"), Plan.from_dict({**plan.to_dict(), "names": {}}).name("pl")) == \
        ("Podstawowy", "Basic", "basic")
    assert catalogue.feature_name("no_such_feature", "pl") == "no_such_feature"


def test_a_catalogue_built_from_rows_takes_each_default_it_is_not_given(catalogue):
    rows = [plan.to_dict() for plan in catalogue]
    own_periods = {12: D("0")}
    own_names = {"templates": {"en": "Stencils"}}
    only_periods = Catalogue.from_dicts(rows, billing_periods=own_periods)
    assert dict(only_periods.billing_periods) == own_periods
    assert only_periods.feature_names == catalogue.feature_names
    only_names = Catalogue.from_dicts(rows, feature_names=own_names)
    assert only_names.billing_periods == catalogue.billing_periods
    assert only_names.feature_name("templates", "en") == "Stencils"
    both = Catalogue.from_dicts(rows, billing_periods=own_periods, feature_names=own_names)
    assert dict(both.billing_periods) == own_periods and both.feature_name("templates", "en") == "Stencils"


def test_a_catalogue_file_is_read_whole(tmp_path, catalogue):
    """A copy of the shipped file, read fresh (the default is cached), gives the same
    catalogue; a changed discount and a changed feature name in it are taken."""
    copy = tmp_path / "catalogue.json"
    shutil.copy(DEFAULT_CATALOGUE_PATH, copy)
    assert load_catalogue(copy) == catalogue
    data = json.loads(copy.read_text(encoding="utf-8"))
    data["billing_periods"][-1]["discount_percent"] = 15
    data["features"][0]["names"]["pl"] = "Zażółć gęślą jaźń"
    copy.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    changed = load_catalogue(copy)
    months = int(data["billing_periods"][-1]["months"])
    assert changed.billing_periods[months] == D("0.15")
    assert changed.feature_name(data["features"][0]["key"], "pl") == "Zażółć gęślą jaźń"
    assert [p.code for p in changed] == [p.code for p in catalogue]


class _Undecided(tzinfo):
    def utcoffset(self, dt):
        return None

    def dst(self, dt):
        return None


def test_a_time_whose_zone_gives_no_offset_counts_as_naive():
    with pytest.raises(ValueError, match="aware datetime required"):
        require_aware(datetime(2026, 5, 1, tzinfo=_Undecided()))
    assert require_aware(datetime(2026, 5, 1, tzinfo=timezone_plus_one())).utcoffset() == timedelta(hours=1)


def timezone_plus_one():
    from datetime import timezone
    return timezone(timedelta(hours=1))


def test_a_malformed_quota_period_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"^period must be 'YYYY-MM', got '2026/05'$"):
        period_starts_at("2026/05", "Europe/Warsaw")


def test_a_paid_plan_of_the_same_price_and_place_waits_for_the_renewal():
    """Nothing more is due for a plan that costs the same, so no order: the move waits."""
    rows = [{"code": "free", "price_per_year": "0", "documents_per_month": 10, "users": 1, "features": []},
            {"code": "a", "price_per_year": "490", "documents_per_month": 100, "users": 3, "features": []},
            {"code": "b", "price_per_year": "490", "documents_per_month": 80, "users": 5, "features": []}]
    catalogue = Catalogue.from_dicts(rows)
    decision = plan_change(catalogue["a"], catalogue["b"], enabled_features=set(), active_users=1, trial_active=False)
    assert (decision.outcome, decision.plan.code) == (Outcome.AT_RENEWAL, "b")
