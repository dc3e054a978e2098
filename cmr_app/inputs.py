"""Bounds on what a request may carry: characters that have no place in typed text
(NUL and other control characters, bidi overrides that make a printed name read
differently from what was typed, lone surrogates that no database can store), line
breaks in single-line fields, and how deeply a JSON body may nest.

The same check runs everywhere text comes in: the pydantic schemas (every string of a
document or an address-book entry), the JSON API body as a whole, the WTForms forms and
the services that take a few loose fields (company data, names)."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

# C0 controls, DEL, C1 controls, bidi embeddings/overrides (U+202A–U+202E) and isolates
# (U+2066–U+2069), lone surrogates. Tab, LF and CR are allowed where text may span lines.
_FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_MULTILINE_BAD = re.compile(f"[{_FORBIDDEN}]")
_SINGLE_LINE_BAD = re.compile(f"[{_FORBIDDEN}\t\n\r\u2028\u2029]")
_LINE_BREAK = re.compile("[\n\r\u2028\u2029]")

MAX_JSON_DEPTH = 16


# The same rules as JSON Schema `pattern`s, for the OpenAPI description (schemas.py): a
# string the description calls valid is one these checks let through, and back. Written
# with \\uXXXX escapes, which ECMA-262, Python and Rust regexes read alike; lone
# surrogates are left out of the character class (no regex engine of the three takes one
# there), they cannot come out of the UTF-8 a client sends.
def _u(ranges: str) -> str:
    return "".join(f"\\u{ord(c):04x}" if not c == "-" else c for c in ranges)


_FORBIDDEN_PRINTABLE = _FORBIDDEN.replace("\ud800-\udfff", "")
# What pydantic's strip_whitespace takes off both ends (Unicode White_Space), less what
# the body guard refuses anywhere (VT, FF, NEL).
STRIPPED_CLASS = "\t\n\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
STRIPPED = _u(STRIPPED_CLASS)
FORBIDDEN = _u(_FORBIDDEN_PRINTABLE)
FORBIDDEN_IN_LINE = _u(_FORBIDDEN_PRINTABLE + "\t\n\r\u2028\u2029")  # and line breaks, tabs
# Any string of a JSON body or a query string (has_forbidden / json_problems).
PLAIN_PATTERN = f"^[^{FORBIDDEN}]*$"
# Any text with something else than whitespace in it (a reason that must be given).
FILLED_PLAIN_PATTERN = f"^[^{FORBIDDEN}]*[^{FORBIDDEN}{STRIPPED}][^{FORBIDDEN}]*$"


def single_line_pattern(core: str) -> str:
    """A single-line field whose trimmed value matches `core` (a regex over what
    `_plain_text` lets through; its classes may use FORBIDDEN_IN_LINE and STRIPPED)."""
    return f"^[{STRIPPED}]*({core})[{STRIPPED}]*$"


def text_pattern(*, multiline: bool = False, max_length: int | None = None, filled: bool = False) -> str:
    """A schema field's whole rule as one pattern: what `_plain_text` lets through, at most
    `max_length` characters and (`filled`) not blank, both counted once the whitespace
    around it is trimmed (as pydantic's strip_whitespace does before it counts)."""
    if max_length == 0:
        return f"^[{STRIPPED}]*$"
    inner = FORBIDDEN if multiline else FORBIDDEN_IN_LINE
    edge = f"[^{inner}{STRIPPED}]"
    middle = f"[^{inner}]{{0,{max_length - 2}}}" if max_length is not None else f"[^{inner}]*"
    core = edge if max_length == 1 else f"{edge}({middle}{edge})?"
    return f"^[{STRIPPED}]*({core}){'' if filled else '?'}[{STRIPPED}]*$"


CONTROL_MESSAGE = _l("Remove the invisible control characters from this field.")
LINE_BREAK_MESSAGE = _l("This field takes a single line; remove the line breaks.")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """None when `value` may be stored, else the message to show under its field."""
    if not isinstance(value, str):
        return None
    if _MULTILINE_BAD.search(value):
        return str(CONTROL_MESSAGE)
    if not multiline and _SINGLE_LINE_BAD.search(value):
        return str(LINE_BREAK_MESSAGE if _LINE_BREAK.search(value) else CONTROL_MESSAGE)
    return None


def accept_decimal_comma() -> None:
    """Said by a channel that reads "12400,5" as 12400.5 (the HTML forms, the CSV import),
    so that a number's message offers both ways of writing it; a JSON body takes only
    the API's "12400.5"."""
    from flask import g, has_app_context
    if has_app_context():
        g.decimal_comma = True


def decimal_comma_accepted() -> bool:
    from flask import g, has_app_context
    return has_app_context() and bool(g.get("decimal_comma"))


def check_fields(values: dict, *, multiline: frozenset | set = frozenset()) -> dict[str, list[str]]:
    """field -> [message] for the values of a flat form that must not be stored."""
    errors: dict[str, list[str]] = {}
    for field, value in values.items():
        problem = text_problem(value, multiline=field in multiline)
        if problem:
            errors[field] = [problem]
    return errors


def has_forbidden(value: str) -> bool:
    """Anything no field accepts (line breaks aside): for paths, query strings, keys."""
    return bool(_MULTILINE_BAD.search(value))


class TooDeep(ValueError):
    pass


def _json_classes():
    """The app's JSON provider and request class: a body nested past what Python's parser
    can follow (RecursionError, not a ValueError) becomes TooDeep, so every
    `request.get_json(silent=True)` answers None for it instead of a 500, and a
    non-silent get_json raises TooDeep for the caller to name (api.routes.body)."""
    from flask import Request as FlaskRequest
    from flask.json.provider import DefaultJSONProvider

    class JSONProvider(DefaultJSONProvider):
        def loads(self, s, **kwargs):
            try:
                return super().loads(s, **kwargs)
            except RecursionError:
                raise TooDeep("the JSON nests deeper than the parser can follow") from None

    class Request(FlaskRequest):
        def on_json_loading_failed(self, e):
            if isinstance(e, TooDeep):
                raise e
            return None  # not JSON, or not valid JSON: the caller says what it wants

    return JSONProvider, Request


def json_problems(data, *, max_depth: int = MAX_JSON_DEPTH) -> dict[str, list[str]]:
    """Dotted path -> [message] for every string (or key) in a parsed JSON body that
    carries forbidden characters; raises TooDeep past `max_depth` levels. Iterative, so
    that a hostile body cannot exhaust the stack."""
    errors: dict[str, list[str]] = {}
    stack = [(data, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > max_depth:
            raise TooDeep(path)
        if isinstance(node, dict):
            items = node.items()
        elif isinstance(node, list):
            items = ((str(i), v) for i, v in enumerate(node))
        else:
            if isinstance(node, str) and has_forbidden(node):
                errors[path] = [str(CONTROL_MESSAGE)]
            continue
        for key, value in items:
            key_text = str(key)
            if has_forbidden(key_text):
                key_text = key_text.encode("unicode_escape", "backslashreplace").decode("ascii")
                errors[f"{path}.{key_text}" if path else key_text] = [str(CONTROL_MESSAGE)]
                continue
            stack.append((value, f"{path}.{key_text}" if path else key_text, depth + 1))
    return errors


# The request guard ---------------------------------------------------------------------

# Views that show a message under the offending field themselves (their forms run through
# the schemas, GuardedForm or the services' checks). Any other form with a forbidden
# character is refused whole with a 400 page naming the field, before the view runs.
FORMS_WITH_FIELD_MESSAGES = frozenset({
    "auth.register", "auth.login", "auth.forgot_password", "auth.reset_password",
    "auth.accept_invitation", "web.settings_company", "web.document_new", "web.document_edit",
    "web.entry_new", "web.entry_edit",
})
# A form of 500 goods lines has about 5,500 inputs; more than this is not a browser's form.
MAX_FORM_FIELDS = 6000


def init_app(app) -> None:
    from flask import abort, request
    from flask_babel import gettext as _

    provider, request_class = _json_classes()
    app.json = provider(app)
    app.request_class = request_class

    @app.before_request
    def refuse_control_characters():
        # A NUL in the path or the query string never names anything: no lookup is tried.
        if has_forbidden(request.path):
            abort(404)
        for key, value in request.args.items(multi=True):
            if has_forbidden(key) or has_forbidden(value):
                abort(400, _("The address contains invisible control characters."))
        if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return None
        form = request.form
        if len(form) > MAX_FORM_FIELDS:
            abort(413, _("This form has too many fields."))
        own_messages = request.endpoint in FORMS_WITH_FIELD_MESSAGES
        for key, value in form.items(multi=True):
            if key is None:  # a multipart part whose Content-Disposition names nothing
                abort(400, _("A part of the form has no name."))
            if has_forbidden(key) or (not own_messages and has_forbidden(value)):
                abort(400, _("The field “%(name)s” contains invisible control characters; remove them "
                             "and send the form again.", name=key.encode("unicode_escape").decode("ascii")))
        return None
