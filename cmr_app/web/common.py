"""Helpers shared by the HTML views: dotted form names to nested dicts and back, service
errors to flashes, choices for selects, and the template context of the signed-in pages."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from flask import flash, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import inputs
from ..errors import NotFound, ServiceError, ValidationFailed
from ..extensions import db
from ..schemas import COUNTRIES, LANGUAGES, calendar_day_problem
from . import bp

# Leaves that are numbers or dates: an empty input means "none" (None), not "".
NULLABLE_LEAVES = frozenset({"packages", "gross_weight_kg", "volume_m3", "amount", "date",
                             "sender", "consignee"})
NUMERIC_LEAVES = NULLABLE_LEAVES - {"date"}
MAX_DEPTH = 4
_COMMA_DECIMAL = re.compile(r"^-?\d+,\d+$")


# Form data <-> nested dicts ---------------------------------------------------------

def _leaf(name: str, value: str):
    value = (value or "").strip()
    if name in NULLABLE_LEAVES and value == "":
        return None
    if name in NUMERIC_LEAVES:
        value = value.replace(" ", "").replace("\u00a0", "")
        if _COMMA_DECIMAL.match(value):  # "12400,5" as typed in Poland and Germany
            value = value.replace(",", ".")
    return value


def _tree(items: Iterable[tuple[str, str]]) -> dict:
    root: dict = {}
    for key, value in items:
        parts = key.split(".")
        if not all(parts) or len(parts) > MAX_DEPTH or key == "csrf_token":
            continue
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        if not isinstance(node.get(parts[-1]), dict):
            node[parts[-1]] = _leaf(parts[-1], value)
    return root


def is_blank(value) -> bool:
    if isinstance(value, dict):
        return all(is_blank(v) for v in value.values())
    if isinstance(value, list):
        return all(is_blank(v) for v in value)
    return value is None or value == ""


def parse_form(items: Iterable[tuple[str, str]], *,
               compact: dict[str, Callable[[object], bool]] | None = None):
    """Turns inputs named by dotted paths ("goods.0.adr.class") into the nested dict of
    the API shape. Numeric segments become lists. Lines of a list named in `compact`
    that its predicate finds blank are dropped; `origins` remembers, per list, the form
    index of each kept line so that error paths can be mapped back to the inputs."""
    compact = compact or {}
    origins: dict[str, list[int]] = {}
    inputs.accept_decimal_comma()  # _leaf reads "12400,5" as 12400.5

    def convert(node, path: str):
        if not isinstance(node, dict):
            return node
        if node and all(k.isdigit() for k in node):
            keys = sorted(node, key=int)
            lines = [(int(k), convert(node[k], f"{path}.{k}")) for k in keys]
            blank = compact.get(path)
            if blank:
                lines = [(i, v) for i, v in lines if not blank(v)]
            origins[path] = [i for i, _ in lines]
            return [v for _, v in lines]
        return {k: convert(v, f"{path}.{k}" if path else k) for k, v in node.items()}

    return convert(_tree(items), ""), origins


def remap_errors(errors: dict[str, list[str]], origins: dict[str, list[int]]) -> dict[str, list[str]]:
    """Error paths of the parsed (compacted) data back to the names of the form's inputs."""
    result: dict[str, list[str]] = {}
    for key, messages in errors.items():
        parts = key.split(".")
        for i in range(1, len(parts)):
            path = ".".join(parts[:i])
            kept = origins.get(path)
            if kept is not None and parts[i].isdigit() and int(parts[i]) < len(kept):
                parts[i] = str(kept[int(parts[i])])
        result.setdefault(".".join(parts), []).extend(messages)
    return result


def flatten(data, prefix: str = "") -> dict[str, str]:
    """The nested API shape as {dotted name: text} for the form's inputs."""
    flat: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            flat.update(flatten(value, f"{prefix}.{i}"))
    elif data is not None:
        flat[prefix] = str(data)
    return flat


def line_indexes(values: dict[str, str], name: str) -> list[int]:
    """The indexes of the lines of list `name` present in flat form values."""
    pattern = re.compile(rf"^{re.escape(name)}\.(\d+)\.")
    return sorted({int(m.group(1)) for key in values if (m := pattern.match(key))})


class FormState:
    """What a form template needs: the values to show, the errors under each input, which
    inputs must be filled (marked on the page), and whether the user may change anything."""

    def __init__(self, values: dict | None = None, errors: dict | None = None, *, readonly: bool = False,
                 required: frozenset[str] | set[str] = frozenset()):
        self.values = dict(values or {})
        self.errors = dict(errors or {})
        self.readonly = readonly
        self.required = frozenset(required)

    def is_required(self, name: str) -> bool:
        return name in self.required

    def value(self, name: str, default: str = "") -> str:
        value = self.values.get(name)
        return default if value is None else str(value)

    def errors_for(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def has_errors(self) -> bool:
        return bool(self.errors)


def form_state_from_request(errors: dict | None = None, **kw) -> FormState:
    return FormState({k: v for k, v in request.form.items() if k != "csrf_token"}, errors, **kw)


# Services' refusals -----------------------------------------------------------------

def flash_refusal(exc: ServiceError) -> None:
    """A refusal (role, unverified e-mail, plan, quota, conflict, or field errors of a form
    that has no inline place for them) becomes flashes; a missing object stays a 404.
    Whatever the service began is rolled back."""
    if isinstance(exc, NotFound):
        raise exc
    db.session.rollback()
    if isinstance(exc, ValidationFailed):
        for messages in exc.errors.values():
            for message in messages:
                flash(message, "error")
    else:
        flash(exc.message, "error")


def parse_date_arg(name: str, errors: dict) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = [calendar_day_problem(raw) or _l("Enter a date as YYYY-MM-DD.")]
        return None


def can_edit() -> bool:
    from ..services import accounts
    return current_user.is_authenticated and accounts.can_edit(current_user) \
        and not accounts.is_restricted(current_user)


# Choices ----------------------------------------------------------------------------

def locale_code() -> str:
    return str(get_locale() or "en")


@lru_cache(maxsize=8)
def _country_choices(locale: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(locale).territories
    return tuple(sorted(((code, f"{names.get(code, code)} ({code})") for code in COUNTRIES),
                        key=lambda item: item[1].casefold()))


def country_choices() -> tuple[tuple[str, str], ...]:
    return _country_choices(locale_code())


@lru_cache(maxsize=8)
def _language_choices(locale: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(locale).languages
    return tuple((code, f"{code.upper()} · {names.get(code, code)}") for code in LANGUAGES)


def language_choices() -> tuple[tuple[str, str], ...]:
    return _language_choices(locale_code())


STATUS_LABELS = {"issued": _l("Issued"), "in_transit": _l("In transit"),
                 "delivered": _l("Delivered"), "cancelled": _l("Cancelled"), "withdrawn": _l("Withdrawn"),
                 "taken_over": _l("Taken over")}
ROLE_LABELS = {"owner": _l("Owner"), "editor": _l("Editor"), "viewer": _l("Viewer")}


# Template helpers -------------------------------------------------------------------

def _as_date(value):
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return value


def show_date(value, fmt: str = "medium") -> str:
    value = _as_date(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, fmt)
    return format_date(value, fmt)


def show_number(value) -> str:
    if value is None or value == "":
        return ""
    try:
        return format_decimal(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def show_money(value) -> str:
    if value is None or value == "":
        return ""
    try:
        return format_decimal(Decimal(str(value)), format="#,##0.00")
    except (InvalidOperation, ValueError):
        return str(value)


def country_name(code: str) -> str:
    if not code:
        return ""
    return Locale.parse(locale_code()).territories.get(code, code)


@bp.app_context_processor
def _web_context():
    return {"show_date": show_date, "show_number": show_number, "show_money": show_money, "country_name": country_name,
            "status_labels": STATUS_LABELS, "role_labels": ROLE_LABELS, "can_edit": can_edit}
