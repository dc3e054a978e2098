from datetime import date
from decimal import Decimal as D

import pytest

from plans import Promo, promo_problem, quote, vat_treatment

TODAY = date(2026, 11, 21)

PROMOS = {
    "none": None,
    "percent": Promo("JESIEN15", "percent", D("15")),
    "fixed": Promo("MINUS100", "amount", D("100.00")),
    "fixed_larger": Promo("MINUS5000", "amount", D("5000.00")),
    "expired": Promo("OLD15", "percent", D("15"), valid_to=date(2026, 11, 20)),
    "not_yet_valid": Promo("SOON15", "percent", D("15"), valid_from=date(2026, 11, 22)),
    "exhausted": Promo("GONE15", "percent", D("15"), max_uses=5, used=5),
}

# Standard, 490.00 net a year; computed by hand:
#   12 months: 490.00, no period discount -> 490.00 before the promo
#   24 months: 980.00 - 10 % (98.00) = 882.00 before the promo
#   VAT 23 % on the net, half-up: 416.50 x 0.23 = 95.795 -> 95.80; 749.70 x 0.23 = 172.431 -> 172.43
STANDARD_TABLE = [
    # months, promo,         list,     period,  promo,    net,      vat,      gross,     problem
    (12, "none",            "490.00", "0.00",  "0.00",   "490.00", "112.70", "602.70",  None),
    (12, "percent",         "490.00", "0.00",  "73.50",  "416.50", "95.80",  "512.30",  None),
    (12, "fixed",           "490.00", "0.00",  "100.00", "390.00", "89.70",  "479.70",  None),
    (12, "fixed_larger",    "490.00", "0.00",  "490.00", "0.00",   "0.00",   "0.00",    None),
    (12, "expired",         "490.00", "0.00",  "0.00",   "490.00", "112.70", "602.70",  "expired"),
    (12, "not_yet_valid",   "490.00", "0.00",  "0.00",   "490.00", "112.70", "602.70",  "not_yet_valid"),
    (12, "exhausted",       "490.00", "0.00",  "0.00",   "490.00", "112.70", "602.70",  "exhausted"),
    (24, "none",            "980.00", "98.00", "0.00",   "882.00", "202.86", "1084.86", None),
    (24, "percent",         "980.00", "98.00", "132.30", "749.70", "172.43", "922.13",  None),
    (24, "fixed",           "980.00", "98.00", "100.00", "782.00", "179.86", "961.86",  None),
    (24, "fixed_larger",    "980.00", "98.00", "882.00", "0.00",   "0.00",   "0.00",    None),
    (24, "expired",         "980.00", "98.00", "0.00",   "882.00", "202.86", "1084.86", "expired"),
    (24, "not_yet_valid",   "980.00", "98.00", "0.00",   "882.00", "202.86", "1084.86", "not_yet_valid"),
    (24, "exhausted",       "980.00", "98.00", "0.00",   "882.00", "202.86", "1084.86", "exhausted"),
]


@pytest.mark.parametrize("months, promo, list_price, period_discount, promo_discount, net, vat, gross, problem",
                         STANDARD_TABLE)
def test_standard_order_amounts_to_the_grosz(catalogue, months, promo, list_price, period_discount,
                                             promo_discount, net, vat, gross, problem):
    q = quote(catalogue["standard"], months, PROMOS[promo], reverse_charge=False, today=TODAY)
    assert (q.list_price, q.period_discount, q.promo_discount, q.net, q.vat, q.gross) == (
        D(list_price), D(period_discount), D(promo_discount), D(net), D(vat), D(gross))
    assert q.vat_rate == D("0.23")
    assert q.promo_problem == problem
    assert q.promo_code == (PROMOS[promo].code if promo != "none" and problem is None else None)
    assert all(amount.as_tuple().exponent == -2 for amount in (q.list_price, q.net, q.vat, q.gross))


@pytest.mark.parametrize("months, promo, net, vat, gross", [
    # 1190.00; 15 % = 178.50 -> 1011.50; VAT 232.645 rounds half-UP to 232.65 (half-even would give .64)
    (12, "percent", "1011.50", "232.65", "1244.15"),
    # 2380.00 - 238.00 = 2142.00; 15 % = 321.30 -> 1820.70; VAT 418.761 -> 418.76
    (24, "percent", "1820.70", "418.76", "2239.46"),
    (24, "fixed", "2042.00", "469.66", "2511.66"),
])
def test_pro_order_amounts_round_half_up(catalogue, months, promo, net, vat, gross):
    q = quote(catalogue["pro"], months, PROMOS[promo], reverse_charge=False, today=TODAY)
    assert (q.net, q.vat, q.gross) == (D(net), D(vat), D(gross))


def test_a_percent_promo_with_a_fraction_of_a_grosz_rounds_half_up(catalogue):
    # 882.00 x 12.35 % = 108.927 -> 108.93; net 773.07; VAT 177.8061 -> 177.81
    q = quote(catalogue["standard"], 24, Promo("X", "percent", D("12.35")), reverse_charge=False, today=TODAY)
    assert (q.promo_discount, q.net, q.vat, q.gross) == (D("108.93"), D("773.07"), D("177.81"), D("950.88"))


@pytest.mark.parametrize("months, net", [(12, "416.50"), (24, "749.70")])
def test_reverse_charge_orders_carry_no_vat(catalogue, months, net):
    q = quote(catalogue["standard"], months, PROMOS["percent"], reverse_charge=True, today=TODAY)
    assert (q.net, q.vat_rate, q.vat, q.gross) == (D(net), D("0"), D("0.00"), D(net))
    assert q.vat_note == "odwrotne obciążenie / reverse charge"


def test_free_costs_nothing(catalogue):
    q = quote(catalogue["free"], 12, PROMOS["fixed"], reverse_charge=False, today=TODAY)
    assert (q.promo_discount, q.net, q.gross) == (D("0.00"), D("0.00"), D("0.00"))


@pytest.mark.parametrize("months", [0, 1, 6, 18, 36, -12])
def test_only_12_and_24_month_periods_are_sold(catalogue, months):
    with pytest.raises(ValueError, match="billing period"):
        quote(catalogue["standard"], months, None, reverse_charge=False, today=TODAY)


def test_period_discounts_come_from_the_catalogue_when_edited(catalogue):
    q = quote(catalogue["standard"], 24, None, reverse_charge=False, today=TODAY,
              period_discounts={12: D("0"), 24: D("0.15")})
    assert (q.period_discount, q.net) == (D("147.00"), D("833.00"))


WINDOW = dict(valid_from=date(2026, 11, 1), valid_to=date(2026, 11, 30))


@pytest.mark.parametrize("promo, today, problem", [
    (Promo("A", "percent", D("10"), **WINDOW), date(2026, 10, 31), "not_yet_valid"),
    (Promo("A", "percent", D("10"), **WINDOW), date(2026, 11, 1), None),
    (Promo("A", "percent", D("10"), **WINDOW), date(2026, 11, 30), None),  # the last day counts
    (Promo("A", "percent", D("10"), **WINDOW), date(2026, 12, 1), "expired"),
    (Promo("A", "amount", D("50"), max_uses=3, used=2), TODAY, None),
    (Promo("A", "amount", D("50"), max_uses=3, used=3), TODAY, "exhausted"),
    (Promo("A", "amount", D("50"), max_uses=None, used=10_000), TODAY, None),
    (Promo("A", "amount", D("50"), max_uses=0), TODAY, "exhausted"),
])
def test_promo_problems(promo, today, problem):
    assert promo_problem(promo, today) == problem


@pytest.mark.parametrize("kind, value", [("percent", D("101")), ("percent", D("-1")), ("amount", D("-5")),
                                         ("gift", D("5"))])
def test_a_malformed_promo_is_refused(kind, value):
    with pytest.raises(ValueError):
        Promo("X", kind, value)


@pytest.mark.parametrize("country, valid_eu_vat_id, rate, reverse_charge", [
    ("PL", False, "0.23", False),
    ("PL", True, "0.23", False),  # a Polish buyer pays Polish VAT, VAT id or not
    ("pl", True, "0.23", False),
    ("DE", True, "0", True),
    ("DE", False, "0.23", False),  # no valid EU VAT id: 23 %
    ("UA", False, "0.23", False),
])
def test_vat_treatment(country, valid_eu_vat_id, rate, reverse_charge):
    treatment = vat_treatment(country, valid_eu_vat_id)
    assert (treatment.rate, treatment.reverse_charge) == (D(rate), reverse_charge)
    assert treatment.note == ("odwrotne obciążenie / reverse charge" if reverse_charge else None)
