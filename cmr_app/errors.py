"""Domain errors raised by services; the API turns them into its error object, the
HTML views into form messages and flashes."""
from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", details: dict | None = None):
        super().__init__(message or self.code)
        self.message = message or self.code.replace("_", " ")
        self.details = details or {}


class NotFound(ServiceError):
    status, code = 404, "not_found"

    def __init__(self, message: str = "Not found.", details=None):
        super().__init__(message, details)


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class ValidationFailed(ServiceError):
    """details: field (dotted path) -> list of messages."""
    status, code = 422, "validation_error"

    def __init__(self, errors: dict[str, list[str]], message: str = "Some fields are not valid."):
        super().__init__(message, errors)
        self.errors = errors


class UnknownReference(ValidationFailed):
    """A field names an object (by id) that the company does not have: the form shows it
    under the field like any refusal; the API answers 404, as for an unknown id in the
    path (a well-formed request about something that is not there)."""
    status, code = 404, "not_found"


class QuotaExceeded(ServiceError):
    status, code = 402, "quota_exceeded"


class PlanRequired(ServiceError):
    status, code = 402, "plan_required"


class FeaturesActive(ServiceError):
    status, code = 409, "features_active"
