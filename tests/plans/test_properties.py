"""Property-based tests (Hypothesis) for the pure rules that take numbers and dates:
money and amounts in words, order arithmetic, quota months and trial days over random
time zones and instants, numbering patterns, tax-id checksums. Each property is checked
against an oracle written independently of the code under test."""
from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import plans
from plans import quota, trial
from plans.catalogue import load_catalogue
from plans.pricing import AMOUNT, PERCENT, Promo, quote, validate_tax_id
from renderers.money_words import amount_in_words_pl, format_amount, plural_form, to_decimal

settings.register_profile("cmr", max_examples=150, deadline=None, derandomize=True)
# scripts/mutation.sh runs these once per mutant: fewer examples, still derandomized.
settings.register_profile("mutation", max_examples=40, deadline=None, derandomize=True)
settings.load_profile(os.environ.get("CMR_HYPOTHESIS_PROFILE", "cmr"))

ZONES = ["Europe/Warsaw", "Europe/London", "Europe/Lisbon", "Europe/Kiev", "America/New_York",
         "America/St_Johns", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe",
         "Pacific/Chatham", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]
zones = st.sampled_from(ZONES)
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                        timezones=st.just(timezone.utc))
money = st.decimals(min_value=Decimal("-99999999.999"), max_value=Decimal("99999999.999"),
                    allow_nan=False, allow_infinity=False, places=3)


# Money

@given(money)
def test_an_amount_rounds_half_up_to_the_grosz_whatever_form_it_comes_in(value):
    expected = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert to_decimal(value) == expected
    assert to_decimal(str(value)) == expected
    assert to_decimal(str(value).replace(".", ",")) == expected
    # half-up: a third decimal of 5 goes away from zero
    if abs(value) * 1000 % 10 == 5:
        assert abs(expected) > abs(value)


@given(money)
def test_figures_read_back_to_the_same_amount(value):
    printed = format_amount(value)
    assert re.fullmatch(r"-?\d{1,3}( \d{3})*,\d\d", printed)
    assert Decimal(printed.replace(" ", "").replace(",", ".")) == to_decimal(value)


def polish_unit(n: int) -> str:
    """The oracle: 1 złoty; 2–4 złote unless the last two digits are 12–14; else złotych."""
    if n == 1:
        return "złoty"
    if str(n)[-1] in "234" and str(n)[-2:] not in ("12", "13", "14"):
        return "złote"
    return "złotych"


@given(money)
def test_amounts_in_words_carry_sign_unit_and_grosze(value):
    rounded = to_decimal(value)
    words = amount_in_words_pl(value)
    whole = int(abs(rounded))
    cents = int((abs(rounded) - whole) * 100)
    assert words.startswith("minus ") == (rounded < 0)
    assert words.endswith(f" {polish_unit(whole)} {cents:02d}/100")
    assert ["złoty", "złote", "złotych"][plural_form(whole)] == polish_unit(whole)


# Order arithmetic

catalogue = load_catalogue()
paid_plans = [p for p in catalogue.plans if p.price_per_year > 0]
promos = st.one_of(
    st.none(),
    st.builds(Promo, code=st.just("P"), kind=st.just(PERCENT),
              value=st.decimals(min_value=0, max_value=100, places=2)),
    st.builds(Promo, code=st.just("A"), kind=st.just(AMOUNT),
              value=st.decimals(min_value=0, max_value=5000, places=2)))


@given(st.sampled_from(paid_plans), st.sampled_from(sorted(catalogue.billing_periods)), promos, st.booleans())
def test_order_amounts_add_up_to_the_grosz(plan, months, promo, reverse_charge):
    q = quote(plan, months, promo, reverse_charge=reverse_charge, today=date(2026, 11, 21))
    cent = Decimal("0.01")
    for amount in (q.list_price, q.period_discount, q.promo_discount, q.net, q.vat, q.gross):
        assert amount == amount.quantize(cent) and amount >= 0
    assert q.list_price == plan.price_per_year * (months // 12)
    after_period = q.list_price - q.period_discount
    assert q.net == after_period - q.promo_discount
    assert 0 <= q.promo_discount <= after_period
    assert q.vat == (q.net * (Decimal(0) if reverse_charge else Decimal("0.23"))).quantize(cent, ROUND_HALF_UP)
    assert q.gross == q.net + q.vat
    if promo is not None and promo.kind == PERCENT:
        assert q.promo_discount == (after_period * promo.value / 100).quantize(cent, ROUND_HALF_UP)


# Quota months

@given(instants, zones)
def test_every_instant_falls_in_its_local_month_and_the_months_tile_time(now, tz):
    period = quota.quota_period(now, tz)
    starts, resets = quota.period_starts_at(period, tz), quota.period_resets_at(period, tz)
    assert starts <= now < resets
    local_start = starts.astimezone(ZoneInfo(tz))
    assert (local_start.day, local_start.hour, local_start.minute) == (1, 0, 0)
    assert local_start.strftime("%Y-%m") == period == now.astimezone(ZoneInfo(tz)).strftime("%Y-%m")
    assert quota.quota_period(resets, tz) != period
    assert quota.period_starts_at(quota.quota_period(resets, tz), tz) == resets
    assert quota.quota_period(resets - timedelta(microseconds=1), tz) == period


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_places_left_never_go_below_zero(used, limit):
    usage = quota.usage(used, limit)
    assert usage.remaining == max(limit - used, 0)
    assert usage.exhausted == (used >= limit)


# Trial days

@given(instants, st.integers(-40 * 24 * 3600, 40 * 24 * 3600), st.booleans(), zones)
def test_the_trial_covers_30_local_days_and_ends_at_local_midnight(registered, offset, near_the_end, tz):
    starts, ends = trial.trial_window(registered, tz)
    # half of the instants fall in the last six days or just after: the reminder's edges
    now = ends + timedelta(seconds=offset % (6 * 24 * 3600) - 5 * 24 * 3600) if near_the_end \
        else registered + timedelta(seconds=offset)
    local_end = ends.astimezone(ZoneInfo(tz))
    registered_day = registered.astimezone(ZoneInfo(tz)).date()
    # 00:00 on the 31st local day (or the first instant after it when a clock change skips midnight)
    assert local_end.date() == registered_day + timedelta(days=30)
    assert local_end.time() < datetime.min.time().replace(hour=2)
    assert trial.trial_active(registered, now, tz) == (registered <= now < ends)
    left = trial.trial_days_left(registered, now, tz)
    if now >= ends:
        assert left == 0
    else:
        assert left == (local_end.date() - now.astimezone(ZoneInfo(tz)).date()).days
        assert 1 <= left <= 30 or now < registered
    assert trial.trial_reminder_due(registered, now, tz) == (1 <= left <= 3)


@given(instants, zones, st.integers(0, 60 * 24 * 3600), st.integers(1, 5 * 24 * 3600))
def test_trial_days_left_only_go_down(registered, tz, a, step):
    earlier = registered + timedelta(seconds=a)
    later = earlier + timedelta(seconds=step)
    assert trial.trial_days_left(registered, later, tz) <= trial.trial_days_left(registered, earlier, tz)


# Numbering patterns

literal = st.text(alphabet="ABCXYZ-/_. 0", max_size=4)
tokens = st.sampled_from(["{YYYY}", "{YY}", "{MM}", "{DD}"])


@st.composite
def patterns(draw):
    width = draw(st.sampled_from(["", ":1", ":4", ":6"]))
    parts = draw(st.lists(st.tuples(literal, tokens), max_size=3))
    seq_at = draw(st.integers(0, len(parts)))
    pieces = [lit + tok for lit, tok in parts]
    pieces.insert(seq_at, draw(literal) + "{seq" + width + "}")
    return "".join(pieces) + draw(literal)


@given(patterns(), st.integers(1, 10**7), st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_a_number_reads_back_to_its_pattern(pattern, seq, moment):
    from cmr_app.services.numbering import format_number, scope_for, validate_pattern
    assert validate_pattern(pattern) == pattern.strip()
    number = format_number(pattern, seq, moment)
    width = int((re.search(r"\{seq:(\d+)\}", pattern) or [None, "0"])[1])
    values = {"YYYY": f"{moment.year:04d}", "YY": f"{moment.year % 100:02d}",
              "MM": f"{moment.month:02d}", "DD": f"{moment.day:02d}"}
    expected = re.sub(r"\{(seq(?::\d+)?|YYYY|YY|MM|DD)\}",
                      lambda m: str(seq).zfill(width) if m[1].startswith("seq") else values[m[1]], pattern)
    assert number == expected
    # the series restarts exactly as often as the finest date token says
    scope = scope_for(pattern, moment)
    kind = "D" if "{DD}" in pattern else "M" if "{MM}" in pattern else "Y" if "{Y" in pattern else "A"
    assert scope.split(":")[0] == kind
    if kind == "A":
        assert scope == "A"


# Tax ids

def nip_check_digit(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, (6, 5, 7, 2, 3, 4, 5, 6, 7))) % 11


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 9),
       st.sampled_from(["", "PL", "PL "]), st.sampled_from(["", "-", " "]))
def test_a_nip_is_valid_exactly_when_its_check_digit_is(digits, last, prefix, sep):
    nip = digits + str(last)
    typed = prefix + sep.join([nip[:3], nip[3:6], nip[6:8], nip[8:]])
    normalized, problem = validate_tax_id("PL", typed)
    assert (problem is None) == (nip_check_digit(digits) == last)
    if problem is None:
        assert normalized == nip
    else:
        assert problem == "invalid_checksum"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_a_german_vat_id_is_checked_with_iso_7064(digits):
    # ISO 7064 MOD 11,10 over the first 8 digits gives the 9th
    product = 10
    for d in digits[:8]:
        total = (int(d) + product) % 10 or 10
        product = (2 * total) % 11
    check = (11 - product) % 10
    _, problem = validate_tax_id("DE", "DE" + digits)
    assert (problem is None) == (int(digits[8]) == check and digits[0] != "0")


@given(st.sampled_from(["DE", "FR", "CZ", "LT"]), st.text(max_size=14))
def test_reverse_charge_only_with_a_valid_id_of_another_eu_state(country, tax_id):
    applies = plans.reverse_charge_applies(country, tax_id)
    assert applies == (bool(tax_id.strip()) and validate_tax_id(country, tax_id)[1] is None)
    assert plans.reverse_charge_applies("PL", tax_id) is False


def test_the_zloty_form_of_every_whole_amount_up_to_ten_thousand():
    # Exhaustive where random draws seldom land (…12–…14 and their neighbours): a
    # mutant reading n / 100 for n % 100 survived the random amounts.
    assert [n for n in range(10_001) if ["złoty", "złote", "złotych"][plural_form(n)] != polish_unit(n)] == []
    assert [n for n in range(10_001) if not amount_in_words_pl(n).endswith(f" {polish_unit(n)} 00/100")] == []
