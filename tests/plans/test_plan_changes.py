import pytest

from plans import Blocker, Catalogue, Outcome, downgrade_blockers, feature_switch_on, plan_change, trial_switch


def feature(key):
    return Blocker("feature", feature=key)


def users(active, limit):
    return Blocker("users", active=active, limit=limit)


@pytest.mark.parametrize("target, enabled, active_users, blockers", [
    ("pro", {"company_logo", "custom_numbering"}, 25, []),
    ("standard", set(), 3, []),  # exactly at the user limit
    ("standard", set(), 4, [users(4, 3)]),
    ("standard", {"custom_numbering", "templates"}, 1, [feature("custom_numbering")]),
    ("free", {"company_logo"}, 1, [feature("company_logo")]),
    ("free", {"templates", "company_logo"}, 2, [feature("company_logo"), feature("templates"), users(2, 1)]),
])
def test_downgrade_blockers_list_features_then_users(catalogue, target, enabled, active_users, blockers):
    assert downgrade_blockers(catalogue[target], enabled_features=enabled, active_users=active_users) == blockers


def test_blockers_serialise_for_the_409_details():
    assert [b.to_dict() for b in (feature("templates"), users(4, 3))] == [
        {"kind": "feature", "key": "templates"}, {"kind": "users", "active": 4, "limit": 3}]


@pytest.mark.parametrize("current, target, enabled, active_users, outcome, blockers", [
    ("free", "pro", set(), 1, Outcome.SWITCH_NOW, []),
    ("pro", "standard", set(), 3, Outcome.SWITCH_NOW, []),
    ("standard", "free", set(), 1, Outcome.SWITCH_NOW, []),
    ("standard", "standard", {"templates"}, 3, Outcome.UNCHANGED, []),
    ("standard", "free", {"company_logo"}, 1, Outcome.REFUSED, [feature("company_logo")]),
    ("pro", "standard", {"custom_numbering"}, 1, Outcome.REFUSED, [feature("custom_numbering")]),
    ("pro", "standard", set(), 4, Outcome.REFUSED, [users(4, 3)]),
])
def test_during_the_trial_a_move_down_is_refused_until_the_account_fits(
        catalogue, current, target, enabled, active_users, outcome, blockers):
    decision = trial_switch(catalogue[current], catalogue[target], enabled_features=enabled, active_users=active_users)
    assert decision.outcome == outcome
    assert list(decision.blockers) == blockers
    assert decision.error_code == ("features_active" if outcome == Outcome.REFUSED else None)
    assert decision.takes_effect_now == (outcome != Outcome.REFUSED)


@pytest.mark.parametrize("current, target, enabled, active_users, outcome, suspended, blockers", [
    # to Free: always, at once; what Free lacks is suspended, never a reason to refuse
    ("pro", "free", {"custom_numbering", "templates"}, 10, Outcome.SWITCH_NOW, {"custom_numbering", "templates"}, []),
    ("standard", "free", set(), 1, Outcome.SWITCH_NOW, set(), []),
    ("free", "free", {"templates"}, 1, Outcome.UNCHANGED, set(), []),
    # up: through a paid order
    ("free", "standard", set(), 1, Outcome.ORDER_REQUIRED, set(), []),
    ("standard", "pro", {"templates"}, 3, Outcome.ORDER_REQUIRED, set(), []),
    # down between paid plans: from the next renewal, once the account fits
    ("pro", "standard", {"custom_numbering"}, 5, Outcome.AT_RENEWAL, set(), [feature("custom_numbering"), users(5, 3)]),
    ("pro", "standard", set(), 2, Outcome.AT_RENEWAL, set(), []),
])
def test_outside_the_trial_the_only_direct_move_is_to_free(
        catalogue, current, target, enabled, active_users, outcome, suspended, blockers):
    decision = plan_change(catalogue[current], catalogue[target], trial_active=False,
                           enabled_features=enabled, active_users=active_users)
    assert decision.outcome == outcome
    assert decision.plan.code == target
    assert decision.suspended == suspended
    assert list(decision.blockers) == blockers
    assert decision.error_code is None


@pytest.mark.parametrize("key, current, enabled, trial, outcome, plan", [
    ("company_logo", "free", set(), True, Outcome.SWITCH_NOW, "standard"),
    ("custom_numbering", "free", set(), True, Outcome.SWITCH_NOW, "pro"),
    ("custom_numbering", "standard", {"templates"}, True, Outcome.SWITCH_NOW, "pro"),
    ("templates", "standard", {"company_logo"}, True, Outcome.UNCHANGED, "standard"),
    ("templates", "free", set(), False, Outcome.PLAN_REQUIRED, "standard"),
    ("custom_numbering", "standard", set(), False, Outcome.PLAN_REQUIRED, "pro"),
    ("custom_numbering", "pro", set(), False, Outcome.UNCHANGED, "pro"),
    # unpaid after the trial, logo kept but suspended: the plan named keeps it too
    ("email_documents", "free", {"company_logo"}, False, Outcome.PLAN_REQUIRED, "standard"),
])
def test_switching_on_a_feature(catalogue, key, current, enabled, trial, outcome, plan):
    decision = feature_switch_on(key, catalogue[current], catalogue, trial_active=trial, enabled_features=enabled)
    assert (decision.outcome, decision.plan.code) == (outcome, plan)
    assert decision.error_code == ("plan_required" if outcome == Outcome.PLAN_REQUIRED else None)


def test_in_the_trial_the_account_moves_to_a_plan_that_keeps_its_features():
    # The cheapest plan with e-mail alone ("mail") would switch the logo off.
    catalogue = Catalogue.from_dicts([
        _plan("free", "0", []),
        _plan("logo", "100", ["company_logo"]),
        _plan("mail", "200", ["email_documents"]),
        _plan("both", "300", ["company_logo", "email_documents"]),
    ])
    decision = feature_switch_on("email_documents", catalogue["logo"], catalogue, trial_active=True,
                                 enabled_features={"company_logo"})
    assert (decision.outcome, decision.plan.code) == (Outcome.SWITCH_NOW, "both")


def test_in_the_trial_the_account_moves_to_a_plan_with_room_for_its_users(catalogue):
    decision = feature_switch_on("company_logo", catalogue["free"], catalogue, trial_active=True, active_users=4)
    assert decision.plan.code == "pro"


def test_a_feature_no_plan_offers_with_the_others_is_unavailable():
    catalogue = Catalogue.from_dicts([_plan("free", "0", []), _plan("logo", "100", ["company_logo"]),
                                      _plan("mail", "200", ["email_documents"])])
    decision = feature_switch_on("email_documents", catalogue["logo"], catalogue, trial_active=True,
                                 enabled_features={"company_logo"})
    assert decision.outcome == Outcome.UNAVAILABLE
    assert decision.plan is None


def test_an_unknown_feature_key_is_an_error(catalogue):
    with pytest.raises(ValueError, match="unknown feature"):
        feature_switch_on("teleportation", catalogue["pro"], catalogue, trial_active=True)


def _plan(code, price, features, users=5):
    return {"code": code, "names": {"en": code}, "price_per_year": price, "documents_per_month": 10,
            "users": users, "archive_months": None, "features": features, "position": int(price)}
