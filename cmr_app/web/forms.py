"""Form helpers shared by the HTML views."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField

from ..inputs import text_problem


def apply_errors(form, errors: dict[str, list[str]]) -> None:
    """Shows a service's field errors under the matching WTForms fields; the rest on the form."""
    for field, messages in errors.items():
        target = getattr(form, field, None) if field else None
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors) + list(messages)
        else:
            form.form_errors = list(getattr(form, "form_errors", [])) + list(messages)


class GuardedForm(FlaskForm):
    """A FlaskForm whose text inputs refuse control characters, bidi overrides and (outside
    textareas) line breaks, with the message under the field. Passwords are never stored
    as typed, so they are left alone."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if not isinstance(field, (StringField, HiddenField)) or isinstance(field, PasswordField):
                continue
            problem = text_problem(field.data, multiline=isinstance(field, TextAreaField))
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid
