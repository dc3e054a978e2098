"""Admin forms. Ranges come from services/admin_plans.py, which checks them again."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField, widgets
from wtforms.validators import (InputRequired, Length, NumberRange, Optional, Regexp, StopValidation,
                                ValidationError)

from ..services import admin_plans as rules


WHOLE = _l("Enter a whole number.")


class ParsedFirst:
    """Text that is not a number gets that one message, not range messages as well."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class WholeNumberField(ParsedFirst, IntegerField):
    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():
            self.data = None  # blank: for InputRequired or Optional to judge
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(WHOLE)


class LocalDecimalField(ParsedFirst, StringField):
    """A money amount typed as "490.00", "490,00" or "1 190,00" (Polish and German habits)."""

    def process_formdata(self, valuelist):
        self.data = None
        self.raw = (valuelist[0] if valuelist else "").strip()
        if not self.raw:
            return
        text = self.raw.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            self.data = Decimal(text)
        except InvalidOperation:
            raise ValueError(_l("Enter the price as a number, e.g. 490.00."))
        if not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Enter the price as a number, e.g. 490.00."))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:.2f}"


def price_rules(form, field):
    price = field.data
    if price is None:
        return
    if price < 0:
        raise ValidationError(_l("The price cannot be negative."))
    if price.as_tuple().exponent < -2:
        raise ValidationError(_l("At most two decimal places."))
    if price > rules.PRICE_MAX:
        raise ValidationError(_l("The price is too large."))


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PlanForm(FlaskForm):
    name_pl = StringField(_l("Name (Polish)"), validators=[Length(max=rules.NAME_MAX)])
    name_en = StringField(_l("Name (English)"), validators=[InputRequired(), Length(max=rules.NAME_MAX)])
    name_de = StringField(_l("Name (German)"), validators=[Length(max=rules.NAME_MAX)])
    price_per_year = LocalDecimalField(
        _l("Price per year, net PLN"),
        validators=[InputRequired(), price_rules])
    documents_per_month = WholeNumberField(
        _l("Documents per month"),
        validators=[InputRequired(WHOLE), NumberRange(min=0, max=rules.INT_MAX)])
    users = WholeNumberField(_l("Users"), validators=[InputRequired(WHOLE),
                                                  NumberRange(min=rules.MIN_USERS, max=rules.INT_MAX)])
    archive_months = WholeNumberField(
        _l("Archive (months)"),
        description=_l("Empty: the whole archive."),
        validators=[Optional(), NumberRange(min=rules.MIN_ARCHIVE_MONTHS, max=rules.INT_MAX)])
    features = CheckboxesField(_l("Features"), choices=[], validate_choice=True)
    position = WholeNumberField(_l("Position"), description=_l("Order on the pricing page, smallest first."),
                            validators=[InputRequired(WHOLE), NumberRange(min=0, max=rules.INT_MAX)])

    def values(self) -> dict:
        """The form's data keyed as the service expects."""
        return {"names.pl": self.name_pl.data, "names.en": self.name_en.data,
                "names.de": self.name_de.data, "price_per_year": self.price_per_year.data,
                "documents_per_month": self.documents_per_month.data, "users": self.users.data,
                "archive_months": self.archive_months.data, "features": self.features.data or [],
                "position": self.position.data}

    def fill(self, values: dict) -> None:
        self.name_pl.data, self.name_en.data, self.name_de.data = (
            values["names.pl"], values["names.en"], values["names.de"])
        for key in ("price_per_year", "documents_per_month", "users", "archive_months",
                    "features", "position"):
            getattr(self, key).data = values[key]

    # Service error keys ("names.pl") to this form's field names.
    FIELD_NAMES = {"names.pl": "name_pl", "names.en": "name_en", "names.de": "name_de"}


class NewPlanForm(PlanForm):
    code = StringField(
        _l("Code"), description=_l("Used in links (/register?plan=code); cannot be changed later."),
        validators=[InputRequired(), Length(max=rules.CODE_MAX),
                    Regexp(rules.CODE_PATTERN.pattern,
                           message=_l("Lowercase letters, digits and single dashes."))])
