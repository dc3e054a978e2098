"""Form helpers shared by the HTML views."""
from __future__ import annotations


def apply_errors(form, errors: dict[str, list[str]]) -> None:
    """Shows a service's field errors under the matching WTForms fields; the rest on the form."""
    for field, messages in errors.items():
        target = getattr(form, field, None) if field else None
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors) + list(messages)
        else:
            form.form_errors = list(getattr(form, "form_errors", [])) + list(messages)
