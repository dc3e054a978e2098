from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..web.forms import GuardedForm


def valid_address(form, field):
    """The same rule as the services and the CLI (accounts.email_problem)."""
    from ..services.accounts import email_problem
    problem = email_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class RegisterForm(GuardedForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), valid_address])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(), Length(min=8, max=200, message=_l("The password needs at least 8 characters."))])
    company = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    plan = HiddenField()
    accept_terms = BooleanField(_l("I accept the terms of service"),
                                validators=[DataRequired(_l("You must accept the terms of service."))])


class LoginForm(GuardedForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), valid_address])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Remember me"))


class ForgotForm(GuardedForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), valid_address])


class ResetForm(GuardedForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=8, max=200, message=_l("The password needs at least 8 characters."))])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))])


class AcceptInvitationForm(ResetForm):
    pass


class ResendActivationForm(GuardedForm):
    pass
