"""Input shapes of the address book and documents (API.md "Objects"), validated with
pydantic. The HTML forms and the JSON API both go through `parse`, so a rule about a
field lives here once."""
from __future__ import annotations

import calendar
import copy
import re
from datetime import date as Date
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal

import plans
from babel import Locale
from babel.dates import get_month_names
from flask_babel import get_locale
from flask_babel import gettext as _
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints,
                      ValidationError, ValidationInfo, WithJsonSchema, field_validator, model_validator)
from stdnum.eu import vat as eu_vat

from . import inputs
from .errors import ValidationFailed
from .taxid import check_tax_id

COUNTRIES = sorted(code for code in Locale("en").territories
                   if len(code) == 2 and code.isalpha() and code not in {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})
LANGUAGES = ("pl", "en", "de", "fr", "es", "it", "nl", "cs", "sk", "lt", "lv", "et", "ro", "hu",
             "bg", "ru", "uk", "tr")
# Set by hand on a paper CMR; "cancelled" and "withdrawn" only by their own actions.
STATUSES = ("issued", "in_transit", "delivered")
ALL_STATUSES = STATUSES + ("taken_over", "cancelled", "withdrawn")
PAYMENT_INSTRUCTIONS = ("", "carriage_paid", "carriage_forward")
MAX_GOODS_LINES = 500  # the API's and the web form's bound: the annex pages stay printable


def _country(value: str) -> str:
    value = (value or "").strip().upper()
    if value and value not in COUNTRIES:
        raise ValueError("country")
    return value


_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def calendar_day_problem(value) -> str | None:
    """The message for a date written as YYYY-MM-DD whose month or day does not exist
    ("2026-02-30"), else None: its shape is right, so "use YYYY-MM-DD" would mislead."""
    match = _ISO_DAY.match(value) if isinstance(value, str) else None
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= year <= 9999:
        return None
    if not 1 <= month <= 12:
        return _("There is no month %(month)s: months run from 01 to 12 (YYYY-MM-DD).", month=match.group(2))
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        name = get_month_names("wide", context="stand-alone", locale=str(get_locale() or "en"))[month]
        return _("This day does not exist: %(month)s %(year)s has %(days)s days.",
                 month=name, year=year, days=days)
    return None


def _real_day(value):
    problem = calendar_day_problem(value)
    if problem:
        raise ValueError("say:" + problem)
    return value


def _decimal(max_digits: int, places: int, *, ge: int | None = None, blank: bool = False):
    """A decimal field and its JSON Schema from the same bounds: a JSON number within them
    in steps of the last place, or a decimal string ("705.60", what the API answers with);
    `blank`: "" too, read as no amount (the field's own before-validator)."""
    whole = max_digits - places
    largest = float(Decimal(10) ** whole - Decimal(1).scaleb(-places))
    number = {"type": "number", "minimum": 0 if ge == 0 else -largest, "maximum": largest,
              "multipleOf": float(Decimal(1).scaleb(-places))}
    string = {"type": "string",
              "pattern": f"^({'' if ge == 0 else '-?'}[0-9]{{1,{whole}}}(\\.[0-9]{{1,{places}}})?){'?' if blank else ''}$"}
    return Annotated[Decimal, Field(ge=ge, max_digits=max_digits, decimal_places=places),
                     WithJsonSchema({"anyOf": [number, string]})]


Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Country = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_country),
                    Field(json_schema_extra={"enum": ["", *COUNTRIES]})]
# Numeric(12, 3) in the address book: at most 999,999,999.999, also in a document.
Amount = _decimal(12, 3, ge=0)
Money = _decimal(14, 2, blank=True)  # box 20's columns
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Day = Annotated[Date, BeforeValidator(_real_day)]

# Where the description (api/openapi.py) keeps PLAIN_JSON: what a body may carry besides
# the fields a shape reads (ignored, but refused with control characters like any string).
PLAIN_JSON_REF = "#/components/schemas/PlainJSON"
PLAIN_JSON = {"anyOf": [
    {"type": ["null", "boolean", "number"]},
    {"type": "string", "pattern": inputs.PLAIN_PATTERN},
    {"type": "array", "items": {"$ref": PLAIN_JSON_REF}},
    {"type": "object", "propertyNames": {"pattern": inputs.PLAIN_PATTERN},
     "additionalProperties": {"$ref": PLAIN_JSON_REF}}]}


def _json_schema(schema: dict, cls) -> None:
    """What the validators check, said in the JSON Schema of every shape, so that the API's
    description (api/openapi.py, built from these models) cannot say less: the pattern of
    `_plain_text` on each free-text field (single- or multi-line as `multiline` says), the
    body guard's rule on the fields the shape ignores, and the shape's own additions."""
    for name, prop in schema.get("properties", {}).items():
        if prop.get("type") != "string" or {"enum", "const"} & prop.keys():
            continue
        # Lengths count once the whitespace around is trimmed, so they go into the pattern.
        limit, filled = prop.pop("maxLength", None), prop.pop("minLength", 0) > 0
        rule = inputs.text_pattern(multiline=name in cls.multiline, max_length=limit, filled=filled)
        if "pattern" in prop:
            prop["allOf"] = [{"pattern": rule}]
        else:
            prop["pattern"] = rule
        if limit is not None:
            prop["description"] = f"at most {limit} characters, not counting whitespace around them"
    schema["propertyNames"] = {"pattern": inputs.PLAIN_PATTERN}
    schema["additionalProperties"] = {"$ref": PLAIN_JSON_REF}
    cls.describe(schema)


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, json_schema_extra=_json_schema)
    # Fields that may span lines (textareas); every other string is a single line.
    multiline: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def describe(cls, schema: dict) -> None:
        """Rules across fields that the JSON Schema can say, added to the shape's schema."""

    def cross_checks(self) -> dict[str, list[str]]:
        """Rules across fields, checked once every field is valid: field → messages."""
        return {}

    @classmethod
    def cross_checks_of_invalid(cls, data: dict) -> dict[str, list[str]]:
        """The rules across fields whose own fields are valid, for input that failed
        elsewhere: the same answer then names these problems too."""
        return {}

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value, info):
        """One rule for every string of every shape: no control characters, no bidi
        overrides, and no line breaks outside the multi-line boxes."""
        if isinstance(value, str):
            problem = inputs.text_problem(value, multiline=info.field_name in cls.multiline)
            if problem:
                raise ValueError("say:" + problem)
        return value


def _no_eu_prefix() -> str:
    """A pattern of the tax ids check_tax_id keeps as typed when the party has no country:
    the value (past the whitespace it loses) does not start with two letters whose upper
    case names a member state (EL for Greece too)."""
    prefixes = {c.upper() for c in eu_vat.MEMBER_STATES} | {"EL"}
    ascii_letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    # Each letter with every character whose upper case it is ("ſ" is an S, "ı" an I).
    spelled = {a: a + a.lower() for a in ascii_letters}
    for c in map(chr, range(0x80, 0x10000)):
        if c.isalpha() and len(c.upper()) == 1 and c.upper() in ascii_letters:
            spelled[c.upper()] += c

    def one_of(letters, negate=False, also="") -> str:
        return "[" + ("^" if negate else "") + "".join(inputs._u(spelled[x]) for x in letters) + also + "]"
    # The first character: the end, or no letter (nor the whitespace before it).
    options = ["$", one_of(ascii_letters, negate=True, also=inputs._u(inputs.STRIPPED_CLASS))]
    for first in ascii_letters:
        seconds = sorted(p[1] for p in prefixes if p[0] == first)
        options.append(one_of(first) + (f"($|{one_of(seconds, negate=True)})" if seconds else ""))
    return f"^[{inputs._u(inputs.STRIPPED_CLASS)}]*({'|'.join(options)})"


# The compact shape of each member state's VAT id after its prefix (python-stdnum checks
# the digits): the `pattern` beside the format `vat-id-XX`, so a consumer sees the shape
# and a value of another shape is not called valid.
VAT_ID_SHAPES = {
    "AT": "U[0-9]{8}", "BE": "[0-9]{9,10}", "BG": "[0-9]{9,10}", "CY": "[0-9]{8}[A-Z]", "CZ": "[0-9]{8,10}",
    "DE": "[0-9]{9}", "DK": "[0-9]{8}", "EE": "[0-9]{9}", "ES": "[0-9A-Z][0-9]{7}[0-9A-Z]", "FI": "[0-9]{8}",
    "FR": "[0-9A-Z]{2}[0-9]{9}", "GR": "[0-9]{8,9}", "HR": "[0-9]{11}", "HU": "[0-9]{8}",
    "IE": "[0-9][0-9A-Z+*][0-9]{5}[A-Z]{1,2}", "IT": "[0-9]{11}", "LT": "[0-9]{9}|[0-9]{12}", "LU": "[0-9]{8}",
    "LV": "[0-9]{11}", "MT": "[0-9]{8}", "NL": "[0-9]{9}B[0-9]{2}", "PL": "[0-9]{10}", "PT": "[0-9]{9}",
    "RO": "[0-9]{2,10}", "SE": "[0-9]{12}", "SI": "[0-9]{8}", "SK": "[0-9]{10}"}


def _vat_id_core(country: str, *, prefix_required: bool) -> str:
    prefix = "EL" if country == "GR" else country
    spelled = "".join(f"[{c}{c.lower()}]" for c in prefix)
    return f"({spelled}){'' if prefix_required else '?'}({VAT_ID_SHAPES[country]})"


@lru_cache(maxsize=1)
def tax_id_rules() -> list[dict]:
    """check_tax_id as JSON Schema, one branch per case: with a member state as the country
    the tax id is blank or that state's VAT id, prefix optional (format `vat-id-XX`; for PL
    the NIP); without a country one that starts with a member state's prefix is that
    state's VAT id (format `eu-vat-id`), any other is kept as typed; with another country
    it is kept as typed."""
    eu = [c for c in COUNTRIES if plans.is_eu_country(c)]
    assert set(eu) == set(VAT_ID_SHAPES), "a member state without its VAT id shape"
    rules: list[dict] = [{"required": ["country"], "properties": {
        "country": {"const": c}, "tax_id": {"anyOf": [{"const": ""}, {
            "format": f"vat-id-{c}", "pattern": inputs.single_line_pattern(_vat_id_core(c, prefix_required=False))}]}}}
        for c in eu]
    rules.append({"required": ["country"], "properties": {"country": {"enum": [c for c in COUNTRIES if c not in eu]}}})
    any_vat_id = "|".join(_vat_id_core(c, prefix_required=True) for c in eu)
    rules.append({"properties": {"country": {"const": ""}, "tax_id": {"anyOf": [
        {"const": ""}, {"format": "eu-vat-id", "pattern": inputs.single_line_pattern(any_vat_id)},
        {"pattern": _no_eu_prefix()}]}}})
    return rules


# Party._email as a pattern: blank, or an "@" with something either side and no space.
_EMAIL_END = f"[^@ {inputs.FORBIDDEN_IN_LINE}{inputs.STRIPPED}]"
EMAIL_PATTERN = inputs.single_line_pattern(
    f"({_EMAIL_END}[^ {inputs.FORBIDDEN_IN_LINE}]*@[^ {inputs.FORBIDDEN_IN_LINE}]*{_EMAIL_END})?")


class Party(Model):
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    address: Text = ""
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    country: Country = ""
    # Format `tax-id`: what it must be depends on the country (tax_id_rules, the anyOf).
    tax_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = Field(
        "", json_schema_extra={"format": "tax-id"})
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] = Field(
        "", json_schema_extra={"pattern": EMAIL_PATTERN})
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and ("@" not in value or " " in value or value.startswith("@") or value.endswith("@")):
            raise ValueError("email")
        return value

    @classmethod
    def describe(cls, schema: dict) -> None:
        schema["anyOf"] = copy.deepcopy(tax_id_rules())

    @field_validator("tax_id")
    @classmethod
    def _tax_id(cls, value: str, info: ValidationInfo) -> str:
        """Checked beside the other fields (not after them all), so a bad checksum is named
        in the same answer as a missing name. The country comes first in the model; when
        it is itself invalid, the id's own prefix (if any) says which rule applies."""
        if not value:
            return value
        normalized, problem = check_tax_id(info.data.get("country", ""), value)
        if problem:
            raise ValueError("say:" + problem)
        return normalized


class AddressBookParty(Party):
    """A client or carrier kept in the address book must at least have a name."""
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ClientIn(AddressBookParty):
    pass


class CarrierIn(AddressBookParty):
    vehicle_registration: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""


class DocumentCarrier(Party):
    vehicle_registration: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""


# ADR 2.2 (classes) and 8.6.4 (tunnel restriction codes), as written on the document.
ADR_CLASSES = ("1", "2", "3", "4.1", "4.2", "4.3", "5.1", "5.2", "6.1", "6.2", "7", "8", "9")
ADR_TUNNEL_CODES = ("B", "B1000C", "B/D", "B/E", "C", "C5000D", "C/D", "C/E", "D", "D/E", "E", "-")


def _one_of(choices: tuple[str, ...], reason: str):
    def check(value: str) -> str:
        if value and value not in choices:
            raise ValueError(reason)
        return value
    return AfterValidator(check)


class Adr(Model):
    """A dangerous-goods entry, printed as ADR 5.4.1.1.1 orders it: "UN 1263 PAINT, 3,
    II, (D/E)"."""
    model_config = ConfigDict(populate_by_name=True, extra="ignore", str_strip_whitespace=True,
                              json_schema_extra=_json_schema)
    un_number: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\d{4})?$")] = ""
    proper_shipping_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    class_: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10),
                      _one_of(ADR_CLASSES, "adr_class")] = Field(
        "", alias="class", json_schema_extra={"enum": ["", *ADR_CLASSES]})
    packing_group: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(I|II|III)?$")] = ""
    tunnel_code: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=10),
                           _one_of(ADR_TUNNEL_CODES, "adr_tunnel_code")] = Field(
        "", json_schema_extra={"enum": ["", *ADR_TUNNEL_CODES]})
    environmentally_hazardous: bool = False

    @field_validator("environmentally_hazardous", mode="before")
    @classmethod
    def _unticked(cls, value):
        return False if value is None or value == "" else value

    def is_empty(self) -> bool:
        return not (self.class_ or self.un_number or self.packing_group or self.proper_shipping_name
                    or self.tunnel_code or self.environmentally_hazardous)


class GoodsLine(Model):
    marks: Text = ""
    packages: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    packing: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    nature: Text = ""
    statistical_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    gross_weight_kg: Amount | None = None
    volume_m3: Amount | None = None
    adr: Adr | None = None

    @model_validator(mode="after")
    def _drop_empty_adr(self):
        if self.adr is not None and self.adr.is_empty():
            self.adr = None
        return self


class ProductIn(GoodsLine):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Place(Model):
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    country: Country = ""
    address: Text = ""


class PlaceAndDate(Model):
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    country: Country = ""
    date: Day | None = None


class Established(Model):
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    date: Day | None = None


class CashOnDelivery(Model):
    amount: Amount | None = None
    currency: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^([A-Z]{3})?$")] = ""


class Charge(Model):
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    sender: Money | None = None
    currency: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^([A-Z]{3})?$")] = ""
    consignee: Money | None = None

    @field_validator("sender", "consignee", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        """A blank column is no amount (API.md's own example sends "consignee": "")."""
        return None if isinstance(value, str) and not value.strip() else value


class DocumentIn(Model):
    multiline: ClassVar[frozenset[str]] = frozenset({
        "documents_attached", "sender_instructions", "successive_carriers", "carrier_reservations",
        "special_agreements"})
    sender: Party = Field(default_factory=Party)
    consignee: Party = Field(default_factory=Party)
    sender_client_id: Id | None = None
    consignee_client_id: Id | None = None
    carrier_id: Id | None = None
    place_of_delivery: Place = Field(default_factory=Place)
    taking_over: PlaceAndDate = Field(default_factory=PlaceAndDate)
    documents_attached: LongText = ""
    goods: Annotated[list[GoodsLine], Field(max_length=MAX_GOODS_LINES)] = Field(default_factory=list)
    sender_instructions: LongText = ""
    payment_instructions: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    cash_on_delivery: CashOnDelivery = Field(default_factory=CashOnDelivery)
    carrier: DocumentCarrier = Field(default_factory=DocumentCarrier)
    successive_carriers: LongText = ""
    carrier_reservations: LongText = ""
    special_agreements: LongText = ""
    charges: Annotated[list[Charge], Field(max_length=20)] = Field(default_factory=list)
    established: Established = Field(default_factory=Established)
    languages: Annotated[list[str], Field(min_length=1, max_length=3, json_schema_extra={
        "items": {"enum": list(LANGUAGES)}, "uniqueItems": True})] = Field(default_factory=lambda: ["pl", "en", "de"])
    copies: Literal[3, 4] = 4
    status: Literal["issued", "in_transit", "delivered"] = "issued"

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value):
        if value in ("cancelled", "withdrawn", "taken_over"):
            raise ValueError("status_" + value)
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        value = [v.strip().lower() for v in value if v and v.strip()]
        if not value or any(v not in LANGUAGES for v in value) or len(set(value)) != len(value):
            raise ValueError("languages")
        return value

    def cross_checks(self) -> dict[str, list[str]]:
        return box20_problems(self.charges, self.payment_instructions)

    @classmethod
    def cross_checks_of_invalid(cls, data: dict) -> dict[str, list[str]]:
        try:
            part = Box20.model_validate({k: data[k] for k in ("charges", "payment_instructions") if k in data})
        except ValidationError:
            return {}  # its own fields are named already
        return box20_problems(part.charges, part.payment_instructions)


class Box20(Model):
    """Box 20 and box 14 alone, to check them while other fields of the form are wrong."""
    charges: Annotated[list[Charge], Field(max_length=20)] = Field(default_factory=list)
    payment_instructions: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


def box20_problems(charges: list[Charge], payment_instructions: str) -> dict[str, list[str]]:
    """Box 20 must add up, per currency and per payer column, and agree with box 14."""
    from renderers import charges as box20   # on first use: the package loads reportlab
    rows = [c.model_dump(mode="json") for c in charges]
    errors: dict[str, list[str]] = {}
    for m in box20.mismatches(rows):
        what = (_("The balance is carriage charges less deductions")
                if box20.row_key(rows[m.index]) == "balance" else _("The total does not match its rows"))
        errors.setdefault(f"charges.{m.index}.{m.column}", []).append(
            _("%(what)s: %(expected)s, not %(given)s. Correct it, or leave it blank to have it computed.",
              what=what, expected=m.expected.quantize(box20.CENT), given=m.given))
    conflict = box20.payer_conflict(payment_instructions, rows)
    if conflict == "carriage_forward":
        errors["payment_instructions"] = [_(
            "Carriage forward means the consignee pays the carriage, but box 20 puts every amount on the "
            "sender. Move the amounts to the consignee's column, or choose carriage paid.")]
    elif conflict == "carriage_paid":
        errors["payment_instructions"] = [_(
            "Carriage paid means the sender pays the carriage, but box 20 puts every amount on the "
            "consignee. Move the amounts to the sender's column, or choose carriage forward.")]
    return errors


def _number_message(error: dict) -> str:
    # The HTML forms and the CSV import take a decimal comma; a JSON body takes "705.60".
    if inputs.decimal_comma_accepted():
        return _("Enter a number, e.g. 1250,50 or 1250.50, with no unit or currency.")
    return _("Enter a number, e.g. 1250.50, with no unit or currency.")


def _whole_number_message(error: dict) -> str:
    return _("Enter a whole number, e.g. 33, with no unit.")


def _date_message(error: dict) -> str:
    return _("Enter a date as YYYY-MM-DD, e.g. 2026-11-21.")


# string_pattern_mismatch, by the field's name: what the pattern asks for, in words.
PATTERN_MESSAGES = {
    "currency": lambda: _("Use a three-letter currency code, e.g. PLN or EUR."),
    "un_number": lambda: _("A UN number has four digits, e.g. 1263."),
    "packing_group": lambda: _("Use packing group I, II or III."),
}

MESSAGES = {
    "missing": lambda e: _("This field is required."),
    "string_too_short": lambda e: _("This field is required."),
    "string_too_long": lambda e: _("At most %(n)s characters.", n=e["ctx"]["max_length"]),
    "string_pattern_mismatch": lambda e: (PATTERN_MESSAGES[str(e["loc"][-1])]()
                                          if e["loc"] and str(e["loc"][-1]) in PATTERN_MESSAGES
                                          else _("Not in the expected format.")),
    "int_parsing": _whole_number_message,
    "int_from_float": _whole_number_message,
    "int_type": _whole_number_message,
    "decimal_parsing": _number_message,
    "decimal_type": _number_message,
    "finite_number": _number_message,
    "decimal_max_places": lambda e: _("At most %(n)s decimal places.", n=e["ctx"]["decimal_places"]),
    "decimal_max_digits": lambda e: _("This number is too large."),
    "greater_than_equal": lambda e: (_("Must not be negative.") if e["ctx"]["ge"] == 0
                                     else _("Must be at least %(n)s.", n=e["ctx"]["ge"])),
    "less_than_equal": lambda e: _("This number is too large."),
    "date_from_datetime_parsing": _date_message,
    "date_from_datetime_inexact": _date_message,
    "date_parsing": _date_message,
    "date_type": _date_message,
    "literal_error": lambda e: _("Choose one of the offered values."),
    "too_long": lambda e: _("Too many entries."),
    "too_short": lambda e: _("Choose at least one."),
    "list_type": lambda e: _("Expected a list."),
    "model_type": lambda e: _("Expected an object."),
    "dict_type": lambda e: _("Expected an object."),
}
VALUE_MESSAGES = {
    "country": lambda: _("Use a two-letter ISO country code, e.g. PL."),
    "email": lambda: _("Enter a valid e-mail address."),
    "languages": lambda: _("Choose one to three different label languages."),
    "adr_class": lambda: _("Use an ADR class: %(list)s.", list=", ".join(ADR_CLASSES)),
    "adr_tunnel_code": lambda: _("Use an ADR tunnel code: %(list)s.", list=", ".join(ADR_TUNNEL_CODES)),
    "status_cancelled": lambda: _("Cancel a CMR with its own action, giving the reason."),
    "status_withdrawn": lambda: _("Withdraw a CMR with its own action (delete)."),
    "status_taken_over": lambda: _("Taken over follows from the sender's and the carrier's signatures."),
}


def _message(error: dict) -> tuple[str, str]:
    loc = [str(part) for part in error["loc"]]
    if error["type"] == "value_error":
        reason = str(error["ctx"].get("error", ""))
        if reason.startswith("say:"):  # a validator's own message, already in words
            return ".".join(loc), reason.split(":", 1)[1]
        message = VALUE_MESSAGES.get(reason)
        return ".".join(loc), message() if message else reason
    message = MESSAGES.get(error["type"])
    return ".".join(loc), message(error) if message else _("This value is not valid.")


def parse(schema: type[Model], data: Any, *, partial_base: dict | None = None) -> Model:
    """Validate `data` (merged over `partial_base` for edits) or raise ValidationFailed
    with field → messages, keyed by dotted path ("goods.1.gross_weight_kg")."""
    if not isinstance(data, dict):
        raise ValidationFailed({"": [_("Expected a JSON object.")]})
    if partial_base is not None:
        data = {**partial_base, **data}
    try:
        model = schema.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            field, message = _message(error)
            errors.setdefault(field, []).append(message)
        # Every problem in one answer: the rules across fields whose own fields are fine.
        for field, messages in schema.cross_checks_of_invalid(data).items():
            errors.setdefault(field, []).extend(messages)
        raise ValidationFailed(errors) from None
    errors = model.cross_checks()
    if errors:
        raise ValidationFailed(errors)
    return model


def dump(model: Model) -> dict:
    return model.model_dump(mode="json", by_alias=True)


# CMR Convention art. 6(1): what an office knows at issue and a note must carry
# (ECMR.md §1). Checked on the raw input too, so a form with other errors names every
# missing essential at once instead of one per submit.
ESSENTIALS = (("sender", "name"), ("sender", "country"), ("consignee", "name"), ("consignee", "country"),
              ("taking_over", "city"), ("taking_over", "country"), ("taking_over", "date"),
              ("place_of_delivery", "city"), ("place_of_delivery", "country"))


def essentials_schema(*, new: bool) -> dict:
    """missing_essentials as JSON Schema, from the same ESSENTIALS: each section given is
    filled in (an edit replaces a section it sends whole), and a new document sends them
    all and a goods line with its nature or its number of packages."""
    filled = {"name": {"pattern": inputs.text_pattern(filled=True)},
              "city": {"pattern": inputs.text_pattern(filled=True)},
              "country": {"minLength": 1}, "date": {"type": "string"}}
    sections: dict[str, list[str]] = {}
    for section, key in ESSENTIALS:
        sections.setdefault(section, []).append(key)
    described = {"anyOf": [{"required": ["nature"], "properties": {"nature": filled["name"]}},
                           {"required": ["packages"], "properties": {"packages": {"type": "integer"}}}]}
    schema = {"type": "object", "properties": {
        **{section: {"type": "object", "required": keys, "properties": {k: filled[k] for k in keys}}
           for section, keys in sections.items()},
        "goods": {"type": "array", "contains": described}}}
    if new:
        schema["required"] = [*sections, "goods"]
    return schema


def _filled(value) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")


def missing_essentials(data: Any) -> dict[str, list[str]]:
    """field path → message for every essential that is missing."""
    if not isinstance(data, dict):
        return {}
    missing: dict[str, list[str]] = {}
    for section, key in ESSENTIALS:
        part = data.get(section)
        if not (isinstance(part, dict) and _filled(part.get(key))):
            missing[f"{section}.{key}"] = [_("Required on every CMR (Convention art. 6).")]
    goods = data.get("goods")
    described = isinstance(goods, list) and any(
        isinstance(line, dict) and (_filled(line.get("nature")) or _filled(line.get("packages")))
        for line in goods)
    if not described:
        missing["goods"] = [_("Describe at least one goods line: its nature or its number of packages.")]
    return missing

