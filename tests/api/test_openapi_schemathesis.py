"""The OpenAPI description checked against the running API by Schemathesis, a tool
nobody here wrote: every operation's generated requests (valid and schema-violating),
all of Schemathesis' checks, then its stateful phase following the links.

Issue 14 item 7: no check is left out any more. `positive_data_acceptance` (a request the
description calls valid must not be refused) used to be, because the validators checked
more than the description said. Now the description says it, from the same models and
constants the validators use (cmr_app/schemas.py, cmr_app/inputs.py, api/openapi.py):

- every string field carries the pattern of `inputs.text_problem` (no control characters
  or bidi overrides; single-line fields no line breaks but in the whitespace trimmed off
  their ends; required names not blank), fields a shape ignores are `PlainJSON` (the
  body guard refuses control characters there too), query strings the same;
- countries are an enum of `schemas.COUNTRIES`, label languages of `LANGUAGES`, decimals
  have their digits' bounds, the e-mail its pattern, a new document the Convention's
  essentials (`ESSENTIALS`), an edit a whole section, orders the catalogue's paid plans and
  periods, a cancellation a reason that is not blank, the logo a PNG or JPEG body;
- a party's tax id depends on its country: one `anyOf` branch per case with our own
  formats `vat-id-XX` (that member state's VAT id; PL the NIP) and `eu-vat-id`, each with
  its shape as a pattern; list cursors are the format `page-cursor`, promo codes
  `promo-code`. The fixture `formats` tells Schemathesis how to make values of each
  (python-stdnum checks the VAT ids it makes; a promo code made for the run); the logo's
  media types get real images;
- refusals of valid data that depend on the state are documented answers: 402 (quota,
  plan) is accepted from valid data only where the operation documents it (`_config`),
  404/409/429 as Schemathesis has them; a party picked by an id the company does not have
  is a 404 (errors.UnknownReference), as an unknown id in the path;
- what JSON Schema cannot say across two query parameters (`from` not after `to`) is the
  operation's `x-parameter-order`, which valid cases keep (`filter_case`);
- Schemathesis cannot check our formats (it may reuse a tax id from an earlier answer for
  a party of another country and call that valid), and it makes a negative body by
  breaking one branch of an `anyOf` and dropping the others (which can give a body another
  branch allows); `filter_case` drops a case whose body the description, its formats
  checked as the API checks them, does not bear out.

The API was brought to the description where it disagreed with JSON's own reading: 7.0 is
the whole number 7 (bulk print's ids, support access days); a PDF's `languages` counts a
repeated language once; a support-log cursor of non-ASCII digits is refused instead of
failing. tests/api/test_description_patterns.py checks that the patterns and the
validators agree, both ways.
Failures name the request that failed.
"""
from __future__ import annotations

import io
import itertools
import os

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES
from stdnum.eu import vat

# Every check, none left out.
EXCLUDED = []
EXAMPLES = int(os.environ.get("CMR_SCHEMATHESIS_EXAMPLES", "4"))

# One valid VAT id of each member state (python-stdnum's own examples): the formats
# `vat-id-XX` and `eu-vat-id` of the description are drawn from these with other digits.
VAT_SAMPLES = {
    "AT": "ATU13585627", "BE": "BE0403019261", "BG": "BG175074752", "CY": "CY10259033P", "CZ": "CZ25123891",
    "DE": "DE136695976", "DK": "DK13585628", "EE": "EE100931558", "ES": "ESB58378431", "FI": "FI20774740",
    "FR": "FR40303265045", "GR": "EL094259216", "HR": "HR33392005961", "HU": "HU12892312", "IE": "IE6433435F",
    "IT": "IT00743110157", "LT": "LT119511515", "LU": "LU15027442", "LV": "LV40003521600", "MT": "MT11679112",
    "NL": "NL004495445B01", "PL": "PL8567346215", "PT": "PT501964843", "RO": "RO18547290",
    "SE": "SE123456789701", "SI": "SI50223054", "SK": "SK2022749619"}


def _vat_id(sample: str, digits: list[str]) -> str:
    """`sample` with its digits replaced by `digits`, then two of them searched until the
    check digits hold (python-stdnum says when); the sample itself if no such pair."""
    chars = list(sample)
    positions = [i for i, c in enumerate(chars) if i >= 2 and c.isdigit()]
    for i, d in zip(positions, digits):
        chars[i] = d
    for fix in (positions[-2:], positions[:2], positions[-3:-1], positions[1:3]):
        for combo in itertools.product("0123456789", repeat=len(fix)):
            for i, d in zip(fix, combo):
                chars[i] = d
            if vat.is_valid("".join(chars)):
                return "".join(chars)
    return sample


def vat_ids(countries, *, prefix_optional: bool) -> st.SearchStrategy[str]:
    digits = st.lists(st.sampled_from("0123456789"), min_size=14, max_size=14)
    return st.builds(lambda country, d, bare: (lambda v: v[2:] if bare else v)(_vat_id(VAT_SAMPLES[country], d)),
                     st.sampled_from(countries), digits, st.booleans() if prefix_optional else st.just(False))


def _image(kind: str, width: int, height: int, colour: tuple) -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format=kind)
    return out.getvalue()


def _table(kind: str, names: list[str]) -> bytes:
    """An address-book table with the one column every kind requires (`name`)."""
    if kind == "csv":
        return ("name\r\n" + "".join(f"{name}\r\n" for name in names)).encode()
    from openpyxl import Workbook
    book = Workbook()
    book.active.append(["name"])
    for name in names:
        book.active.append([name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tables(kind: str) -> st.SearchStrategy[bytes]:
    """Import files as the description says: CSV or XLSX, the first row naming the columns."""
    names = st.lists(st.from_regex(r"\A[A-Za-z][A-Za-z0-9 .-]{0,40}[A-Za-z0-9.]\Z"), min_size=1, max_size=5)
    return names.map(lambda rows: _table(kind, rows))


def images(kind: str) -> st.SearchStrategy[bytes]:
    return st.builds(_image, st.just(kind), st.integers(1, 300), st.integers(1, 300),
                     st.tuples(*[st.integers(0, 255)] * 3))


@pytest.fixture
def formats(app):
    """The description's own formats and the logo's and import files' media types, told to Schemathesis:
    how to make a value of each (the description says what they are)."""
    from cmr_app.extensions import db
    from cmr_app.models import PromoCode
    from cmr_app.services.search import encode_cursor
    from schemathesis.specs.openapi import unregister_string_format
    with app.app_context():
        db.session.add(PromoCode(code="SCHEMA10", kind="percent", value=10))
        db.session.commit()
    registered = {"eu-vat-id": vat_ids(sorted(VAT_SAMPLES), prefix_optional=False),
                  # Any party's: a VAT id of some member state, or a number as typed outside the EU
                  # (the object's rules for its country pick which).
                  "tax-id": st.one_of(vat_ids(sorted(VAT_SAMPLES), prefix_optional=True),
                                      st.from_regex(r"\A[0-9][0-9 /-]{0,20}\Z")),
                  "page-cursor": st.integers(1, 2**31).map(encode_cursor),
                  "promo-code": st.sampled_from(["SCHEMA10", "schema10"]),
                  **{f"vat-id-{country}": vat_ids([country], prefix_optional=True) for country in VAT_SAMPLES}}
    for name, strategy in registered.items():
        schemathesis.openapi.format(name, strategy)
    schemathesis.openapi.media_type("image/png", images("PNG"))
    schemathesis.openapi.media_type("image/jpeg", images("JPEG"))
    schemathesis.openapi.media_type("text/csv", tables("csv"))
    schemathesis.openapi.media_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                    tables("xlsx"))
    yield
    for name in registered:
        unregister_string_format(name)


def _format_checks() -> dict:
    """What each format of the description means, as the API checks it."""
    import plans
    from cmr_app.services.search import decode_cursor

    def vat_id_of(country):
        return lambda value: plans.validate_tax_id(country, value)[1] is None

    def eu_vat_id(value):
        prefix = value.strip()[:2].upper()
        return plans.validate_tax_id("GR" if prefix == "EL" else prefix, value)[1] is None
    return {**{f"vat-id-{country}": vat_id_of(country) for country in VAT_SAMPLES},
            "eu-vat-id": eu_vat_id, "tax-id": lambda value: True,  # the object's anyOf says the rest
            "page-cursor": lambda value: value == "" or decode_cursor(value) not in (None, -1),
            "promo-code": lambda value: value.strip().upper() == "SCHEMA10"}


def _body_validators(described: dict) -> dict:
    """(method, path) -> a validator of the operation's JSON body by the description."""
    import jsonschema_rs
    validators = {}
    for path, item in described["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json") \
                if isinstance(operation, dict) else None
            if body:
                validators[(method, path)] = jsonschema_rs.Draft202012Validator(
                    {"allOf": [body["schema"]], "components": described["components"]},
                    validate_formats=True, formats=_format_checks())
    return validators


def _in_described_order(described: dict, case) -> bool:
    """The description's `x-parameter-order` (two query parameters, the first not after the
    second: what JSON Schema cannot say across parameters), checked on a valid case."""
    operation = described["paths"].get(case.operation.path, {}).get(case.operation.method.lower(), {})
    query = case.query or {}
    for first, second in operation.get("x-parameter-order", []):
        if query.get(first) is not None and query.get(second) is not None and str(query[first]) > str(query[second]):
            return False
    return True


def _config(described: dict) -> SchemathesisConfig:
    """Schemathesis' defaults, but where an operation's description lists 402 (quota or
    plan: a valid request the plan refuses), that answer to valid data is as documented."""
    operations = []
    for path, item in described["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "402" in operation.get("responses", {}):
                operations.append({"include-path": path, "include-method": method.upper(), "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": [*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "402"]}}})
    return SchemathesisConfig.from_dict({"operations": operations})


def _settings(n):
    return settings(max_examples=n, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck),
                    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])


def _request(case) -> str:
    """The request, for the report of a failure."""
    return f"request: {case.method} {case.formatted_path} query={case.query!r} body={case.body!r}"[:3000]


def _describe(error) -> str:
    inner = getattr(error, "exceptions", None) or [error]
    notes = "\n".join(getattr(error, "__notes__", []))
    return "; ".join(f"{getattr(e, 'title', type(e).__name__)}"
                     f"{f' ({e.status_code})' if getattr(e, 'status_code', None) else ''}: {str(e)[:1500]}"
                     for e in inner) + "\n" + notes


@pytest.fixture
def schema(app, api, formats):
    """The description the app serves, loaded by Schemathesis against the WSGI app, with
    a real owner's token given through Schemathesis' auth (so its own checks can take it
    away to see that the API then refuses)."""
    described = app.test_client().get("/api/v1/openapi.json").get_json()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=_config(described))
    bodies = _body_validators(described)

    @schema.hook
    def filter_case(context, case):
        """Schemathesis cannot check formats of our own, so it may call a body valid that
        the description does not (a tax id seen in an earlier answer, reused for a party of
        another country), and it makes a negative body by breaking one branch of an `anyOf`
        and dropping the others, so it may make one that another branch allows (a tax id
        broken for Slovenia, the country then Ethiopia, where any tax id goes). The
        description, its formats checked as the API checks them, says which a body is; a
        case it does not bear out is dropped."""
        meta = case.meta
        validator = bodies.get((case.operation.method.lower(), case.operation.path))
        checkable = validator is not None and isinstance(case.body, dict)
        if meta is not None and meta.generation.mode.is_positive:
            return _in_described_order(described, case) and (not checkable or validator.is_valid(case.body))
        if meta is None or not meta.generation.mode.is_negative:
            return True
        negative = {location for location, info in meta.components.items() if info.mode.is_negative}
        if negative != {ParameterLocation.BODY} or not checkable:
            return True
        return not validator.is_valid(case.body)

    @schema.auth()
    class Bearer:
        def get(self, case, context):
            return api.token

        def set(self, case, token, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    return schema


def test_every_operation_answers_as_described(schema):
    failures, unsatisfiable = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @_settings(EXAMPLES)
            def check(case):
                try:
                    case.call_and_validate(excluded_checks=EXCLUDED)
                except (Exception, BaseExceptionGroup) as error:
                    error.add_note(_request(case))  # the answer is in Schemathesis' own report
                    raise
            try:
                check()
            except hypothesis.errors.Unsatisfiable:
                unsatisfiable.append((operation.method.lower(), operation.path, mode))
            except (Exception, BaseExceptionGroup) as error:  # collected: one report naming every operation that fails
                failures.append(f"{operation.label} [{mode.value}]: {_describe(error)}")
    assert not failures, "\n\n".join(failures)
    # Only an operation with nothing to make invalid (no parameter, no body) may have no
    # negative case; any other would be a hole in the description.
    from cmr_app.api.openapi import spec
    for method, path, mode in unsatisfiable:
        described = spec()["paths"][path]
        assert mode is GenerationMode.NEGATIVE, (method, path)
        assert not described.get("parameters") and not described[method].get("parameters"), (method, path)
        assert "requestBody" not in described[method], (method, path)


def test_the_stateful_phase_follows_the_links(app, schema):
    """Schemathesis' stateful phase: sequences of calls chained by the links it finds
    (create a client, read it, change it, delete it, read it again ...), every response
    through the same checks. A value a link carries over is put in after generation, past
    `filter_case` (a tax id one party was given, sent for a party of another country): a
    body the description does not call valid is no valid data, so the check of valid data
    does not judge its answer (every other check does)."""
    from schemathesis.specs.openapi.checks import positive_data_acceptance
    bodies = _body_validators(app.test_client().get("/api/v1/openapi.json").get_json())

    class Machine(schema.as_state_machine()):
        def validate_response(self, response, case, additional_checks=None, **kwargs):
            validator = bodies.get((case.operation.method.lower(), case.operation.path))
            invalid = (case.meta is not None and case.meta.generation.mode.is_positive and validator is not None
                       and isinstance(case.body, dict) and not validator.is_valid(case.body))
            case.validate_response(response, additional_checks=additional_checks,
                                   excluded_checks=EXCLUDED + ([positive_data_acceptance] if invalid else []),
                                   transport_kwargs=kwargs or None)
    Machine.run(settings=settings(max_examples=EXAMPLES * 3, stateful_step_count=6, deadline=None,
                                  database=None, derandomize=True, suppress_health_check=list(HealthCheck)))
