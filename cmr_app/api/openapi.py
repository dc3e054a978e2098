"""The OpenAPI 3 description, built from the pydantic input models and the route table."""
from __future__ import annotations

from functools import lru_cache

from pydantic.json_schema import models_json_schema

from .. import inputs
from ..schemas import (LANGUAGES, PLAIN_JSON, PLAIN_JSON_REF, CarrierIn, ClientIn, DocumentIn, ProductIn,
                       essentials_schema)

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "details": {"type": "object"}}}}}


EXPORT = {"type": "object", "required": ["id", "status", "download_url"], "properties": {
    "id": {"type": "integer"}, "status": {"type": "string", "enum": ["pending", "ready", "failed"]},
    "download_url": {"type": ["string", "null"], "format": "uri"},
    "created_at": {"type": "string", "format": "date-time"},
    "ready_at": {"type": ["string", "null"], "format": "date-time"},
    "expires_at": {"type": ["string", "null"], "format": "date-time"},
    "expired": {"type": "boolean"}, "size_bytes": {"type": ["integer", "null"]},
    "contents": {"type": ["object", "null"], "description": "counts: documents, document_pdfs, invoices, "
                                                            "clients, carriers, products"},
    "error": {"type": ["string", "null"]}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _body(schema: dict) -> dict:
    """A required JSON request body; an inline object carries, like every model's schema,
    the body guard's rule on fields it does not read (PlainJSON)."""
    if schema.get("type") == "object":
        schema = {"propertyNames": {"pattern": inputs.PLAIN_PATTERN},
                  "additionalProperties": {"$ref": PLAIN_JSON_REF}, **schema}
    return {"required": True, **_json(schema)}


def _list_of(name: str) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": _ref(name)},
                                             "next_cursor": {"type": ["string", "null"]}}}


def _errors(*codes: int) -> dict:
    return {str(c): {"description": "error", **_json(_ref("Error"))} for c in (401, *codes)}


# The cursor is opaque: exactly what a page's next_cursor gave (format `page-cursor`,
# base64url without padding); anything else is a 400.
PAGING = [{"name": "cursor", "in": "query", "description": "the next_cursor of the previous page (blank: the first)",
           "schema": {"type": "string", "format": "page-cursor", "pattern": "^([A-Za-z0-9_-]{4,24})?$"}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
          # No control characters in a query string (inputs.py: 400).
          {"name": "q", "in": "query", "schema": {"type": "string", "pattern": inputs.PLAIN_PATTERN}}]
_BLANK_OR_DATE = {"type": "string", "anyOf": [{"format": "date"}, {"maxLength": 0}]}
# One to three label languages, comma-separated; empty items are skipped.
_LANGUAGE = "(" + "|".join(LANGUAGES) + ")"
_LANGUAGE_LIST = f"^,*({_LANGUAGE}(,+{_LANGUAGE}){{0,2}},*)?$"
ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]


def _crud(name: str, schema: str) -> dict:
    return {
        f"/{name}": {
            "get": {"summary": f"List {name}", "parameters": PAGING,
                    "responses": {"200": {"description": "a page", **_json(_list_of(schema))}, **_errors()}},
            "post": {"summary": f"Create one of {name}", "requestBody": _body(_ref(schema)),
                     "responses": {"201": {"description": "created", **_json(_ref(schema))}, **_errors(400, 403, 422)}},
        },
        f"/{name}/{{id}}": {
            "parameters": ID,
            "get": {"responses": {"200": {"description": "one", **_json(_ref(schema))}, **_errors(404)}},
            "patch": {"requestBody": _body(_ref(schema)),
                      "responses": {"200": {"description": "updated", **_json(_ref(schema))}, **_errors(403, 404, 422)}},
            "delete": {"responses": {"204": {"description": "deleted"}, **_errors(403, 404)}},
        },
    }


def _support_access_paths() -> dict:
    """Support access by consent (terms §14)."""
    state = {"type": "object", "required": ["enabled", "expires_at"],
             "properties": {"enabled": {"type": "boolean"},
                            "expires_at": {"type": ["string", "null"], "format": "date-time"}}}
    entry = {"type": "object", "properties": {
        "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
        "action": {"type": "string", "enum": ["granted", "withdrawn", "viewed"]},
        "who": {"type": "string", "description": "the e-mail of the owner or the support admin"},
        "what": {"type": "string", "description": "what support looked at"},
        "expires_at": {"type": ["string", "null"], "format": "date-time",
                       "description": "of a consent granted"}}}
    return {
        "/account/support-access": {
            "get": {"summary": "Whether platform support may see the documents and address book, and until when",
                    "responses": {"200": {"description": "the consent", **_json(state)}, **_errors()}},
            "put": {"summary": "Owner only: {\"enabled\": true, \"days\": 1-90} lets support see the company's "
                               "documents, clients, carriers and products (read-only) until then; "
                               "{\"enabled\": false} ends it at once",
                    "requestBody": _body({"type": "object", "required": ["enabled"], "properties": {
                        "enabled": {"type": "boolean"},
                        "days": {"$ref": PLAIN_JSON_REF, "description": "with enabled true: 1-90"}},
                        "anyOf": [{"properties": {"enabled": {"const": False}}},
                                  {"required": ["days"], "properties": {
                                      "enabled": {"const": True},
                                      "days": {"type": "integer", "minimum": 1, "maximum": 90}}}]}),
                    "responses": {"200": {"description": "the consent", **_json(state)},
                                  **_errors(400, 403, 422)}}},
        "/account/support-access/log": {"get": {
            "summary": "Every look by support (who, when, what) and every change of the consent, newest first",
            "parameters": [{"name": "cursor", "in": "query",
                            "description": "the next_cursor of the previous page (blank: the first)",
                            "schema": {"type": "string", "pattern": "^([0-9]{1,10})?$"}},
                           *(p for p in PAGING if p["name"] == "limit")],
            "responses": {"200": {"description": "a page", **_json({
                "type": "object", "properties": {"items": {"type": "array", "items": entry},
                                                 "next_cursor": {"type": ["string", "null"]}}})},
                          **_errors(422)}}},
    }


IMPORT_MEDIA_TYPES = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _impex_paths() -> dict:
    """Import and export (issue 13 item 7): the address books from and to CSV/XLSX, the
    document list to CSV/XLSX with its filters."""
    from ..schemas import ALL_STATUSES
    result = {"type": "object", "required": ["created", "updated", "unchanged", "errors", "dry_run", "rows"],
              "properties": {
                  "created": {"type": "integer", "minimum": 0}, "updated": {"type": "integer", "minimum": 0},
                  "unchanged": {"type": "integer", "minimum": 0, "description": "rows matching an entry as it is"},
                  "rows": {"type": "integer", "minimum": 0, "description": "rows read (blank ones skipped)"},
                  "dry_run": {"type": "boolean"},
                  "errors": {"type": "array", "description": "every invalid row's fields; those rows are skipped",
                             "items": {"type": "object", "required": ["row", "field", "message"], "properties": {
                                 "row": {"type": "integer", "description": "as the spreadsheet numbers it (the "
                                                                           "header is row 1)"},
                                 "field": {"type": "string", "description": "the column"},
                                 "message": {"type": "string"}}}}}}
    files = {"content": {"text/csv": {"schema": {"type": "string", "format": "binary"}},
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                             "schema": {"type": "string", "format": "binary"}}}}
    fmt = {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "xlsx"], "default": "csv"}}
    query = {"name": "q", "in": "query", "schema": {"type": "string", "pattern": inputs.PLAIN_PATTERN},
             "description": "the list's search"}
    paths: dict = {}
    for name in ("clients", "carriers", "products"):
        paths[f"/{name}/import"] = {"post": {
            "summary": f"Import {name} from a CSV or XLSX file (at most 4 MB and 10,000 rows)",
            "description": "The first row names the columns (those of the export; `name` is required). CSV in "
                           "UTF-8 or cp1250, separated by commas, semicolons or tabs; of XLSX the first sheet. "
                           "Each row is checked as the create endpoint checks it and matched to an existing "
                           "entry by tax id, else by name (capitals aside): matched rows update, others create. "
                           "Valid rows are saved in one transaction, invalid ones named in `errors`. A file that "
                           "cannot be read at all is a 422 with `details.file`.",
            "parameters": [{"name": "dry_run", "in": "query", "schema": {"type": "boolean", "default": False},
                            "description": "check and count without saving"}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {
                # No other part: one is a 422 naming it (a part with no name, or control
                # characters in a name, is a 400 before that: inputs.py).
                "schema": {"type": "object", "required": ["file"], "additionalProperties": False,
                           "properties": {"file": {"type": "string", "format": "binary"},
                                          "dry_run": {"type": "string", "enum": ["true", "false"],
                                                      "description": "as the query's dry_run"}}},
                # The file is a CSV or XLSX table whose first row names the columns (read by
                # its content, not its name); anything else answers 422 with `details.file`.
                "encoding": {"file": {"contentType": ", ".join(IMPORT_MEDIA_TYPES)}}}}},
            "responses": {"200": {"description": "what was (or, in a dry run, would be) done", **_json(result)},
                          **_errors(400, 403, 413, 422)}}}
        paths[f"/{name}/export"] = {"get": {
            "summary": f"All {name} as one CSV (UTF-8 with BOM) or XLSX file, streamed; a cell that would start "
                       "a formula is prefixed with '",
            "parameters": [fmt, query],
            "responses": {"200": {"description": "the file (Content-Disposition: attachment)", **files},
                          **_errors(400, 422)}}}
    paths["/documents/export"] = {"get": {
        "summary": "The document list as one CSV or XLSX file, newest first, with the list's filters, streamed",
        "description": "The filters of `GET /documents`: a `to` before `from` answers 422, a blank "
                       "parameter is no parameter.",
        "x-parameter-order": [["from", "to"]],
        "parameters": [fmt, query, {"name": "from", "in": "query", "schema": _BLANK_OR_DATE},
                       {"name": "to", "in": "query", "schema": _BLANK_OR_DATE},
                       {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["", *ALL_STATUSES]}}],
        "responses": {"200": {"description": "the file (Content-Disposition: attachment)", **files},
                      **_errors(400, 422)}}}
    return paths


DESCRIPTION = """\
The request schemas are the ones the API validates with (cmr_app/schemas.py): a value they
allow is accepted, one they refuse answers 422 naming the field.

Formats of our own:

- `tax-id`: a party's tax id, as its `country` says (the object's `anyOf`, one branch
  per case): blank, or one of the two below, or, outside the EU, as typed.
- `vat-id-XX` (XX a member state of the EU, e.g. `vat-id-DE`): a tax id of a party whose
  `country` is XX, checked by its check digits (python-stdnum's `stdnum.eu.vat`), with or
  without the country prefix (`EL` for Greece); `vat-id-PL` is the Polish NIP (10 digits).
- `eu-vat-id`: a VAT id of any member state with its prefix, e.g. `DE136695976`: what a
  tax id starting with two letters that name a member state must be when the party has
  no `country` (any other tax id of a party without a country, or of one outside the
  EU, is kept as typed).
- `promo-code`: a promo code the operator gave out (any case), not expired or used up.
- `page-cursor`: the `next_cursor` of the previous page of the same list; any other value
  answers 400.

Every string of a JSON body, including fields an operation does not read, and of a query
string is free of control characters and bidi overrides (`PlainJSON`); single-line fields
also of line breaks and tabs except in the whitespace trimmed off their ends. A body nests
at most 16 levels deep.
"""


# What any operation may answer whatever it does, each with the error object: a body that
# is not a JSON object or a query with control characters (400, inputs.py), no or a bad
# token (401, unless the operation is public), invalid fields (422), too many requests
# (429). New endpoints get these by being in `paths`; their own codes (402, 403, 404,
# 409) they list with _errors().
COMMON_ERRORS = (400, 422, 429)
METHODS = ("get", "put", "post", "patch", "delete")


def _document_common_errors(paths: dict) -> None:
    for path, item in paths.items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            public = operation.get("security") == []
            # A path parameter that names nothing (or carries control characters) is a 404.
            own = (() if public else (401,)) + ((404,) if "{" in path else ())
            for code in COMMON_ERRORS + own:
                responses.setdefault(str(code), {"description": "error", **_json(_ref("Error"))})


def _catalogue_codes() -> tuple[list[str], list[str], list[str], list[int]]:
    """The plan codes, feature keys, paid plans' codes and billing periods the API accepts,
    from the catalogue it checks with."""
    from plans.catalogue import load_catalogue
    catalogue = load_catalogue()
    return ([p.code for p in catalogue.plans], sorted(catalogue.feature_keys),
            [p.code for p in catalogue.plans if not p.is_free], sorted(catalogue.billing_periods))


def _order_schema(schema: dict, paid_plans: list[str], periods: list[int], online_payment: bool) -> None:
    """billing.OrderIn with what billing.price and _parse_order check besides its shape."""
    props = schema["properties"]
    props["plan"] = {"type": "string", "enum": paid_plans}
    props["period_months"] = {"type": "integer", "enum": periods}
    props["promo_code"] = {"type": ["string", "null"], "format": "promo-code", "maxLength": 40,
                           "description": "one code the operator gave out (format promo-code); an unknown, "
                                          "expired or used-up one answers 422"}
    props["payment_method"] = {"type": "string", "enum": ["transfer", "card"] if online_payment else ["transfer"],
                               "default": "transfer",
                               "description": "card only where the operator takes online payments"}


def spec(online_payment: bool | None = None) -> dict:
    """The description the running app serves (whether it takes card payments changes one
    enum)."""
    if online_payment is None:
        from flask import current_app, has_app_context
        online_payment = has_app_context() and bool(current_app.config.get("PAYMENT_PROVIDER"))
    return _spec(online_payment)


@lru_cache(maxsize=2)
def _spec(online_payment: bool) -> dict:
    from ..services.billing import OrderIn
    _, defs = models_json_schema([(m, "validation") for m in (ClientIn, CarrierIn, ProductIn, DocumentIn, OrderIn)],
                                 ref_template="#/components/schemas/{model}")
    schemas = {**defs["$defs"], "Error": ERROR, "Export": EXPORT, "PlainJSON": PLAIN_JSON,
               # What issuing and editing check beyond the shape (schemas.missing_essentials)
               "DocumentNew": {"allOf": [_ref("DocumentIn"), essentials_schema(new=True)]},
               "DocumentEdit": {"allOf": [_ref("DocumentIn"), essentials_schema(new=False)]}}
    plan_codes, feature_keys, paid_plans, periods = _catalogue_codes()
    _order_schema(schemas["OrderIn"], paid_plans, periods, online_payment)
    paths = {
        "/account": {"get": {"summary": "The company, plan, trial, usage, features and subscription",
                             "responses": {"200": {"description": "account", **_json({"type": "object"})}, **_errors()}}},
        "/account/features/{key}": {"put": {
            "parameters": [{"name": "key", "in": "path", "required": True,
                            "schema": {"type": "string", "enum": feature_keys}}],
            "requestBody": _body({"type": "object", "required": ["enabled"], "properties": {"enabled": {"type": "boolean"}}}),
            "responses": {"200": {"description": "account"}, **_errors(402, 403, 409, 422)}}},
        "/account/plan": {"put": {
            "requestBody": _body({"type": "object", "required": ["plan"], "properties": {"plan": {"type": "string", "enum": plan_codes}}}),
            "responses": {"200": {"description": "account"}, **_errors(402, 403, 409, 422)}}},
        "/account/logo": {
            "put": {"summary": "Upload the company logo: the PNG or JPEG file as the body (at most 1 MB and "
                               "16 megapixels); stored at most 1200 px on a side, re-encoded",
                    "requestBody": {"required": True, "content": {
                        "image/png": {"schema": {"type": "string", "format": "binary"}},
                        "image/jpeg": {"schema": {"type": "string", "format": "binary"}}}},
                    "responses": {"200": {"description": "the stored logo", **_json({"type": "object"})},
                                  **_errors(403, 422)}},
            "delete": {"responses": {"204": {"description": "removed"}, **_errors(403)}}},
        # The owner's export (terms §11.6, GDPR art. 20)
        "/account/exports": {"post": {
            "summary": "Owner only: export all the company's data as one ZIP, made by a job",
            "description": "The ZIP holds documents.json (every document as GET /documents/{id} gives it, with "
                           "`versions` (each with its content as `data`) and `events` (the hash-chained record)), "
                           "clients.csv, carriers.csv, products.csv (UTF-8), documents/*.pdf (every document "
                           "but withdrawn ones) and invoices/*.pdf (pro-formas and VAT invoices). When it is "
                           "ready the owner is e-mailed the link. While one export is being prepared, asking "
                           "again returns that one.",
            "responses": {"202": {"description": "accepted", **_json(_ref("Export"))}, **_errors(403)}}},
        "/account/exports/{id}": {"parameters": ID, "get": {
            "summary": "Owner only: the export's state and, when ready, its download link",
            "description": "`download_url` works without a token for 7 days from `ready_at` (until "
                           "`expires_at`), then answers 410; the file is deleted by the daily job.",
            "responses": {"200": {"description": "the export", **_json(_ref("Export"))}, **_errors(403, 404)}}},
        "/plans": {"get": {"summary": "The public catalogue", "security": [],
                           "responses": {"200": {"description": "plans"}}}},
        **_support_access_paths(),
        **_crud("clients", "ClientIn"), **_crud("carriers", "CarrierIn"), **_crud("products", "ProductIn"),
        **_impex_paths(),
        "/documents": {
            "get": {"summary": "Documents, newest first",
                    "description": "A `to` before `from` answers 422 (a reversed range is a mistake, not an "
                                   "empty list).",
                    # The same rule for tools: what JSON Schema cannot say across two parameters.
                    "x-parameter-order": [["from", "to"]],
                    # A blank parameter is no parameter.
                    "parameters": PAGING + [{"name": "from", "in": "query", "schema": _BLANK_OR_DATE},
                                            {"name": "to", "in": "query", "schema": _BLANK_OR_DATE},
                                            {"name": "status", "in": "query", "schema": {"type": "string", "enum": [
                                                "", "issued", "in_transit", "delivered", "cancelled", "withdrawn"]}}],
                    "responses": {"200": {"description": "a page", **_json(_list_of("DocumentIn"))}, **_errors(422)}},
            "post": {"summary": "Issue a document (counts against the monthly quota)",
                     "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 200}}],
                     "requestBody": _body(_ref("DocumentNew")),
                     "responses": {"201": {"description": "created"}, **_errors(400, 402, 403, 404, 409, 422)}},
        },
        "/documents/{id}": {"parameters": ID,
                            "get": {"responses": {"200": {"description": "document"}, **_errors(404)}},
                            "patch": {"summary": "Edit (does not count); a change of content is a new version",
                                      "requestBody": _body(_ref("DocumentEdit")),
                                      "responses": {"200": {"description": "document"}, **_errors(403, 404, 409, 422)}},
                            "delete": {"summary": "Withdraw: content erased, number kept, public link answers 410 "
                                                  "(does not refund); optional JSON body {reason}",
                                       "responses": {"204": {"description": "withdrawn"}, **_errors(403, 404, 409)}}},
        "/documents/{id}/cancel": {"parameters": ID, "post": {
            "summary": "Cancel with a reason: kept, marked CANCELLED online and on every PDF printed afterwards",
            "requestBody": _body({"type": "object", "required": ["reason"], "properties": {"reason": {
                "type": "string", "maxLength": 500, "pattern": inputs.FILLED_PLAIN_PATTERN,
                "description": "not blank; runs of whitespace are kept as one space"}}}),
            "responses": {"200": {"description": "document"}, **_errors(403, 404, 409, 422)}}},
        "/documents/{id}/versions": {"parameters": ID, "get": {
            "summary": "Every version with its check code (fingerprint), oldest first",
            "responses": {"200": {"description": "versions"}, **_errors(404)}}},
        "/documents/{id}/events": {"parameters": ID, "get": {
            "summary": "The hash-chained record (ECMR.md §4), oldest first",
            "responses": {"200": {"description": "events"}, **_errors(404)}}},
        "/documents/{id}/views": {"parameters": ID, "get": {
            "summary": "Openings of the public pages (time, page, IP, user agent), newest first",
            "responses": {"200": {"description": "views"}, **_errors(404)}}},
        "/documents/print": {"post": {
            "summary": "Bulk print: one PDF of the chosen documents, every copy of each, in the order given",
            "requestBody": _body({"type": "object", "required": ["ids"], "properties": {
                "ids": {"type": "array", "minItems": 1, "maxItems": 200,
                        "items": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}}}),
            "responses": {"200": {"description": "the PDF", "content": {"application/pdf": {}}},
                          **_errors(404, 409)}}},
        "/documents/{id}/duplicate": {"parameters": ID, "post": {
            "summary": "A new document with the same content (counts)",
            "responses": {"201": {"description": "created"}, **_errors(402, 403, 404, 409)}}},
        "/documents/{id}/email": {"parameters": ID, "post": {
            "summary": "E-mail the PDF to the parties or to {\"to\": [addresses]} (feature email_documents)",
            "description": "202: accepted into the outbox, not yet delivered; `emails` gives each "
                           "e-mail's id and status, followed at GET /documents/{id}/emails.",
            "responses": {"202": {"description": "{sent_to, emails: [{id, to, status, attempts, last_error, "
                                                 "next_attempt_at, sent_at, created_at}]}"},
                          **_errors(402, 403, 404, 409, 422)}}},
        "/documents/{id}/emails": {"parameters": ID, "get": {
            "summary": "The document's recent e-mails: pending (with the last error), sent or failed",
            "responses": {"200": {"description": "{items, next_cursor}"}, **_errors(404)}}},
        "/documents/{id}/pdf": {"parameters": ID + [
            {"name": "languages", "in": "query", "example": "pl,en,de",
             "description": "one to three label languages, comma-separated (a repeated one counts once); "
                            "blank: the document's own",
             "schema": {"type": "string", "pattern": _LANGUAGE_LIST}},
            {"name": "copies", "in": "query", "schema": {"type": "integer", "enum": [3, 4]}},
            {"name": "blank", "in": "query", "schema": {"type": "string", "pattern": inputs.PLAIN_PATTERN},
             "description": "`1` or `true`: data only, for pre-printed IRU 1976 sets (shifted by the company's "
                            "printer offset); any other value: the whole form"},
            {"name": "annex", "in": "query",
             "schema": {"type": "string", "enum": ["", "after", "separate", "only"], "default": "after"},
             "description": "where the annex pages (what does not fit on the form) go: `after` all copies, "
                            "`separate` (the copies only) or `only` (the annex pages of every copy and the "
                            "electronic record: the second file; 422 when the document has none)"}],
            "get": {"responses": {"200": {"description": "the PDF", "content": {"application/pdf": {}}},
                                  **_errors(404, 409, 422)}}},
        "/documents/{id}/ecmr.json": {"parameters": ID, "get": {
            "summary": "The whole consignment as one e-CMR JSON document: eFTI common data set / UN/CEFACT element "
                       "names under `consignment`, our own `cmrOnline` block (versions, hash-chained events, "
                       "signatures with image and photo SHA-256); a withdrawn document answers 409",
            "responses": {"200": {"description": "the e-CMR", **_json({"$ref": "/api/v1/schemas/ecmr.json"})},
                          **_errors(404, 409)}}},
        "/orders": {"post": {
            "summary": "Order a paid plan: the order and its pro-forma; an open order for another plan or period "
                       "is cancelled (`cancelled_proformas`), the same order again is refused (409) naming the "
                       "pro-forma that waits; 409 `seller_incomplete` while the operator's bank data is missing. "
                       "`features_suspended` lists the keys of switched-on features the ordered plan lacks: "
                       "they stop working (kept, not deleted) once it is in force",
            "requestBody": _body(_ref("OrderIn")),
            "responses": {"201": {"description": "{id, plan, period_months, status, kind, amounts, proforma, "
                                                 "cancelled_proformas, features_suspended: [feature key]}"}, **_errors(403, 409, 422)}}},
        "/invoices": {"get": {
            "summary": "The company's pro-formas and VAT invoices, newest first",
            "description": "Each item: {id, kind: proforma | invoice, number, net, vat, gross, currency, status "
                           "(pending | paid | cancelled), issued_at, due_date, pdf_url}; a VAT invoice adds "
                           "ksef_status (pending | sending | sent | failed | invalid), ksef_number and ksef_xml_url.",
            "responses": {"200": {"description": "{items, next_cursor}"}}}},
        "/invoices/{id}/ksef.xml": {"parameters": ID, "get": {
            "summary": "The VAT invoice as FA(3) XML (KSeF's e-invoice schema), the document sent to KSeF",
            "responses": {"200": {"description": "the FA(3) XML", "content": {"application/xml": {}}},
                          **_errors(404, 409)}}},
        "/invoices/{id}/cancel": {"parameters": ID, "post": {
            "summary": "Cancel an unpaid pro-forma (owner only); a paid one, or a VAT invoice, answers 409",
            "responses": {"200": {"description": "the pro-forma, status cancelled"}, **_errors(403, 404, 409)}}},
        "/schemas/ecmr.json": {"get": {
            "summary": "The JSON Schema (draft 2020-12) of the e-CMR export", "security": [],
            "responses": {"200": {"description": "the schema",
                                  "content": {"application/schema+json": {}}}}}},
    }
    _document_common_errors(paths)
    return {"openapi": "3.1.0",
            "info": {"title": "CMR Online API", "version": "1.0.0", "description": DESCRIPTION},
            "servers": [{"url": "/api/v1"}],
            "components": {"schemas": schemas,
                           "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
            "x-errors": {"account_blocked": "403 for every request of a blocked company's token, "
                                            "with the reason in details.reason (terms §10.7)"},
            "paths": paths}
