"""Amounts as printed on invoices (renderers/money_words.py), row by row: how input is
read and rounded, the currency's word, the sign, and Polish figures."""
from __future__ import annotations

from decimal import Decimal

import pytest

from renderers.money_words import amount_in_words_pl, format_amount, plural_form, to_decimal


@pytest.mark.parametrize("given, amount", [
    ("12", Decimal("12.00")), (" 12,5 ", Decimal("12.50")), (7, Decimal("7.00")),
    ("0.005", Decimal("0.01")), ("0.025", Decimal("0.03")),      # half up, not half even
    ("-0.005", Decimal("-0.01")), (Decimal("2.675"), Decimal("2.68")),
])
def test_an_amount_is_read_and_rounded_half_up_to_the_grosz(given, amount):
    value = to_decimal(given)
    assert value == amount and value.as_tuple().exponent == -2


@pytest.mark.parametrize("given", ["abc", "", "1.2.3", "NaN", "Infinity", "-inf", "sNaN"])
def test_what_is_not_an_amount_is_refused_naming_it(given):
    with pytest.raises(ValueError, match="not an amount") as refused:
        to_decimal(given)
    assert repr(given) in str(refused.value)


def test_a_float_is_refused_as_money():
    with pytest.raises(TypeError, match=r"^money must be a Decimal or a decimal string, not float$"):
        to_decimal(0.1)


@pytest.mark.parametrize("n, form", [(0, 2), (1, 0), (-1, 0), (2, 1), (-3, 1), (4, 1), (5, 2), (11, 2),
                                     (12, 2), (14, 2), (21, 2), (22, 1), (101, 2), (112, 2), (122, 1)])
def test_the_plural_form_of_a_count(n, form):
    assert plural_form(n) == form


@pytest.mark.parametrize("amount, currency, words", [
    ("1", "PLN", "jeden złoty 00/100"),
    ("2.50", "pln", "dwa złote 50/100"),
    ("5", "PLN", "pięć złotych 00/100"),
    ("1", "EUR", "jeden euro 00/100"),
    ("3.07", "eur", "trzy euro 07/100"),
    ("25", "EUR", "dwadzieścia pięć euro 00/100"),
    ("2", "usd", "dwa USD 00/100"),
    ("-3.5", "PLN", "minus trzy złote 50/100"),
    ("-0.99", "EUR", "minus zero euro 99/100"),
    ("1000000.01", "PLN", "milion złotych 01/100"),
])
def test_an_amount_in_words_names_its_currency_and_sign(amount, currency, words):
    assert amount_in_words_pl(amount, currency) == words


def test_the_default_currency_is_the_zloty():
    assert amount_in_words_pl("4") == "cztery złote 00/100"


@pytest.mark.parametrize("amount, printed", [
    ("0", "0,00"), ("999", "999,00"), ("1000", "1 000,00"), ("-1000.5", "-1 000,50"),
    ("1234567.891", "1 234 567,89"), ("-0.004", "0,00"), ("100000", "100 000,00"),
])
def test_polish_figures_group_thousands_with_a_space_and_use_a_comma(amount, printed):
    assert format_amount(amount) == printed
