import json
from decimal import Decimal

import pytest

from plans import Catalogue, load_catalogue
from plans.catalogue import DEFAULT_CATALOGUE_PATH

LANGUAGES = ("pl", "en", "de")


def test_default_catalogue_matches_the_price_list(catalogue):
    rows = [
        (p.code, p.price_per_year, p.documents_per_month, p.users, p.archive_months, p.features)
        for p in catalogue
    ]
    assert rows == [
        ("free", Decimal("0.00"), 10, 1, 3, frozenset()),
        ("standard", Decimal("490.00"), 150, 3, 24, {"company_logo", "templates", "email_documents"}),
        ("pro", Decimal("1190.00"), 2000, 25, None,
         {"company_logo", "templates", "email_documents", "custom_numbering"}),
    ]


def test_billing_periods_are_12_months_plain_and_24_months_less_10_percent(catalogue):
    assert dict(catalogue.billing_periods) == {12: Decimal("0"), 24: Decimal("0.10")}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_plan_and_feature_is_named_in_each_interface_language(catalogue, lang):
    assert all(plan.names[lang] for plan in catalogue)
    assert catalogue.feature_keys == {"company_logo", "templates", "email_documents", "custom_numbering"}
    assert all(catalogue.feature_names[key][lang] for key in catalogue.feature_keys)


@pytest.mark.parametrize("lang, expected", [("de", "Eigene Nummerierung"), ("pl", "Własna numeracja"),
                                            ("fr", "Custom numbering")])
def test_names_fall_back_to_english(catalogue, lang, expected):
    assert catalogue.feature_name("custom_numbering", lang) == expected
    assert catalogue["pro"].name(lang) == "Pro"


def test_get_returns_none_for_an_unknown_code(catalogue):
    assert catalogue.get("platinum") is None
    assert catalogue.free.code == "free"


@pytest.mark.parametrize("features, min_users, expected", [
    (set(), 0, "free"),
    ({"company_logo"}, 0, "standard"),
    ({"templates", "email_documents"}, 0, "standard"),
    ({"custom_numbering"}, 0, "pro"),
    ({"company_logo", "custom_numbering"}, 0, "pro"),
    ({"company_logo"}, 3, "standard"),
    ({"company_logo"}, 4, "pro"),
    (set(), 26, None),
    ({"teleportation"}, 0, None),
])
def test_cheapest_plan_with_features(catalogue, features, min_users, expected):
    plan = catalogue.cheapest_with(features, min_users=min_users)
    assert (plan.code if plan else None) == expected


def _plan(code, price, features=(), position=0, users=5):
    return {"code": code, "names": {"en": code}, "price_per_year": price, "documents_per_month": 10,
            "users": users, "archive_months": None, "features": list(features), "position": position}


def test_equal_prices_are_decided_by_catalogue_order():
    catalogue = Catalogue.from_dicts([
        _plan("free", "0"),
        _plan("b", "100", ["templates"], position=2),
        _plan("a", "100", ["templates"], position=1),
    ])
    assert catalogue.cheapest_with({"templates"}).code == "a"
    assert [p.code for p in catalogue] == ["free", "a", "b"]


def test_from_dicts_builds_the_same_catalogue_from_database_rows(catalogue):
    rows = [{**plan.to_dict(), "price_per_year": plan.price_per_year, "edited_by_admin": False}
            for plan in reversed(catalogue.plans)]
    assert Catalogue.from_dicts(rows) == catalogue


def test_an_admin_edited_price_is_used(catalogue):
    rows = [plan.to_dict() for plan in catalogue]
    rows[1]["price_per_year"] = "520"
    assert Catalogue.from_dicts(rows)["standard"].price_per_year == Decimal("520.00")


@pytest.mark.parametrize("rows, message", [
    ([_plan("standard", "490")], "free"),
    ([_plan("free", "0"), _plan("free", "0")], "duplicate"),
    ([_plan("free", "-1")], "negative"),
])
def test_from_dicts_refuses_a_broken_catalogue(rows, message):
    with pytest.raises(ValueError, match=message):
        Catalogue.from_dicts(rows)


def test_a_catalogue_file_using_an_unknown_feature_is_refused(tmp_path):
    data = json.loads(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))
    data["plans"][1]["features"].append("teleportation")
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="teleportation"):
        load_catalogue(path)
