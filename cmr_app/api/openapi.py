"""The OpenAPI 3 description, built from the pydantic input models and the route table."""
from __future__ import annotations

from functools import lru_cache

from pydantic.json_schema import models_json_schema

from ..schemas import CarrierIn, ClientIn, DocumentIn, ProductIn

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "details": {"type": "object"}}}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _list_of(name: str) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": _ref(name)},
                                             "next_cursor": {"type": ["string", "null"]}}}


def _errors(*codes: int) -> dict:
    return {str(c): {"description": "error", **_json(_ref("Error"))} for c in (401, *codes)}


PAGING = [{"name": "cursor", "in": "query", "schema": {"type": "string"}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
          {"name": "q", "in": "query", "schema": {"type": "string"}}]
ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]


def _crud(name: str, schema: str) -> dict:
    return {
        f"/{name}": {
            "get": {"summary": f"List {name}", "parameters": PAGING,
                    "responses": {"200": {"description": "a page", **_json(_list_of(schema))}, **_errors()}},
            "post": {"summary": f"Create one of {name}", "requestBody": _json(_ref(schema)),
                     "responses": {"201": {"description": "created", **_json(_ref(schema))}, **_errors(400, 403, 422)}},
        },
        f"/{name}/{{id}}": {
            "parameters": ID,
            "get": {"responses": {"200": {"description": "one", **_json(_ref(schema))}, **_errors(404)}},
            "patch": {"requestBody": _json(_ref(schema)),
                      "responses": {"200": {"description": "updated", **_json(_ref(schema))}, **_errors(403, 404, 422)}},
            "delete": {"responses": {"204": {"description": "deleted"}, **_errors(403, 404)}},
        },
    }


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


def _catalogue_codes() -> tuple[list[str], list[str]]:
    """The plan codes and feature keys the API accepts, from the catalogue it checks with."""
    from plans.catalogue import load_catalogue
    catalogue = load_catalogue()
    return [p.code for p in catalogue.plans], sorted(catalogue.feature_keys)


@lru_cache(maxsize=1)
def spec() -> dict:
    _, defs = models_json_schema([(m, "validation") for m in (ClientIn, CarrierIn, ProductIn, DocumentIn)],
                                 ref_template="#/components/schemas/{model}")
    schemas = {**defs["$defs"], "Error": ERROR}
    plan_codes, feature_keys = _catalogue_codes()
    paths = {
        "/account": {"get": {"summary": "The company, plan, trial, usage, features and subscription",
                             "responses": {"200": {"description": "account", **_json({"type": "object"})}, **_errors()}}},
        "/account/features/{key}": {"put": {
            "parameters": [{"name": "key", "in": "path", "required": True,
                            "schema": {"type": "string", "enum": feature_keys}}],
            "requestBody": _json({"type": "object", "required": ["enabled"], "properties": {"enabled": {"type": "boolean"}}}),
            "responses": {"200": {"description": "account"}, **_errors(402, 403, 409, 422)}}},
        "/account/plan": {"put": {
            "requestBody": _json({"type": "object", "required": ["plan"], "properties": {"plan": {"type": "string", "enum": plan_codes}}}),
            "responses": {"200": {"description": "account"}, **_errors(402, 403, 409, 422)}}},
        "/account/logo": {
            "put": {"summary": "Upload the company logo: the PNG or JPEG file as the body (at most 1 MB and "
                               "16 megapixels); stored at most 1200 px on a side, re-encoded",
                    "requestBody": {"content": {"image/png": {}, "image/jpeg": {}}},
                    "responses": {"200": {"description": "the stored logo", **_json({"type": "object"})},
                                  **_errors(403, 422)}},
            "delete": {"responses": {"204": {"description": "removed"}, **_errors(403)}}},
        "/plans": {"get": {"summary": "The public catalogue", "security": [],
                           "responses": {"200": {"description": "plans"}}}},
        **_crud("clients", "ClientIn"), **_crud("carriers", "CarrierIn"), **_crud("products", "ProductIn"),
        "/documents": {
            "get": {"summary": "Documents, newest first",
                    "parameters": PAGING + [{"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                                            {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
                                            {"name": "status", "in": "query", "schema": {"type": "string", "enum": [
                                                "issued", "in_transit", "delivered", "cancelled", "withdrawn"]}}],
                    "responses": {"200": {"description": "a page", **_json(_list_of("DocumentIn"))}, **_errors(422)}},
            "post": {"summary": "Issue a document (counts against the monthly quota)",
                     "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 200}}],
                     "requestBody": _json(_ref("DocumentIn")),
                     "responses": {"201": {"description": "created"}, **_errors(400, 402, 403, 409, 422)}},
        },
        "/documents/{id}": {"parameters": ID,
                            "get": {"responses": {"200": {"description": "document"}, **_errors(404)}},
                            "patch": {"summary": "Edit (does not count); a change of content is a new version",
                                      "requestBody": _json(_ref("DocumentIn")),
                                      "responses": {"200": {"description": "document"}, **_errors(403, 404, 409, 422)}},
                            "delete": {"summary": "Withdraw: content erased, number kept, public link answers 410 "
                                                  "(does not refund); optional JSON body {reason}",
                                       "responses": {"204": {"description": "withdrawn"}, **_errors(403, 404, 409)}}},
        "/documents/{id}/cancel": {"parameters": ID, "post": {
            "summary": "Cancel with a reason: kept, marked CANCELLED online and on every PDF printed afterwards",
            "requestBody": _json({"type": "object", "required": ["reason"],
                                  "properties": {"reason": {"type": "string", "maxLength": 500}}}),
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
        "/documents/{id}/duplicate": {"parameters": ID, "post": {
            "summary": "A new document with the same content (counts)",
            "responses": {"201": {"description": "created"}, **_errors(402, 403, 404)}}},
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
            {"name": "languages", "in": "query", "schema": {"type": "string"}, "example": "pl,en,de"},
            {"name": "copies", "in": "query", "schema": {"type": "integer", "enum": [3, 4]}}],
            "get": {"responses": {"200": {"description": "the PDF", "content": {"application/pdf": {}}}, **_errors(404, 422)}}},
        "/documents/{id}/ecmr.json": {"parameters": ID, "get": {
            "summary": "The whole consignment as one e-CMR JSON document: eFTI common data set / UN/CEFACT element "
                       "names under `consignment`, our own `cmrOnline` block (versions, hash-chained events, "
                       "signatures with image and photo SHA-256); a withdrawn document answers 409",
            "responses": {"200": {"description": "the e-CMR", **_json({"$ref": "/api/v1/schemas/ecmr.json"})},
                          **_errors(404, 409)}}},
        "/schemas/ecmr.json": {"get": {
            "summary": "The JSON Schema (draft 2020-12) of the e-CMR export", "security": [],
            "responses": {"200": {"description": "the schema",
                                  "content": {"application/schema+json": {}}}}}},
    }
    _document_common_errors(paths)
    return {"openapi": "3.1.0",
            "info": {"title": "CMR Online API", "version": "1.0.0"},
            "servers": [{"url": "/api/v1"}],
            "components": {"schemas": schemas,
                           "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
            "paths": paths}
