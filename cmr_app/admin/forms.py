"""Admin forms. Ranges come from services/admin_plans.py, which checks them again."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, HiddenField, IntegerField, RadioField, SelectChoice, SelectMultipleField, StringField,
                     widgets)
from wtforms.validators import (InputRequired, Length, NumberRange, Optional, Regexp, StopValidation,
                                ValidationError)

from ..services import admin_plans as rules
from ..services import billing


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

    not_a_number = _l("Enter the price as a number, e.g. 490.00.")

    def process_formdata(self, valuelist):
        self.data = None
        self.raw = (valuelist[0] if valuelist else "").strip()
        if not self.raw:
            return
        text = self.raw.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            self.data = Decimal(text)
        except InvalidOperation:
            raise ValueError(self.not_a_number)
        if not self.data.is_finite():
            self.data = None
            raise ValueError(self.not_a_number)

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


# Billing: promo codes, booking payments, the operator's seller data (services/billing.py
# checks everything again; these catch what cannot even be parsed).

class AmountField(LocalDecimalField):
    not_a_number = _l("Enter the amount as a number, e.g. 490.00.")


class PromoValueField(LocalDecimalField):
    not_a_number = _l("Enter a number, e.g. 10 or 49.50.")


class DayField(ParsedFirst, DateField):
    """A date as YYYY-MM-DD (the browser's date picker sends that)."""

    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date as YYYY-MM-DD."))


def amount_rules(form, field):
    value = field.data
    if value is None:
        return
    if value <= 0:
        raise ValidationError(_l("Enter an amount greater than zero."))
    if value.as_tuple().exponent < -2:
        raise ValidationError(_l("At most two decimal places."))
    if value > rules.PRICE_MAX:
        raise ValidationError(_l("The amount is too large."))


class PromoCodeForm(FlaskForm):
    code = StringField(_l("Code"), description=_l("Letters, digits, - and _; stored in capitals."),
                       validators=[InputRequired(), Length(max=40)])
    kind = RadioField(_l("Discount"), choices=[SelectChoice("percent", _l("Percent")),
                                                  SelectChoice("amount", _l("Amount, net PLN"))],
                      default="percent", validators=[InputRequired(_l("Choose percent or amount."))])
    value = PromoValueField(_l("Value"), description=_l("A percent (at most 100) or an amount in PLN."),
                        validators=[InputRequired(), amount_rules])
    valid_from = DayField(_l("Valid from"), validators=[Optional()])
    valid_to = DayField(_l("Valid to"), description=_l("Both days included; empty: no limit."),
                        validators=[Optional()])
    max_uses = WholeNumberField(_l("Maximum uses"), description=_l("Empty: unlimited."),
                                validators=[Optional(), NumberRange(min=1, max=rules.INT_MAX)])

    def values(self) -> dict:
        return {"code": self.code.data, "kind": self.kind.data, "value": self.value.data,
                "valid_from": self.valid_from.data, "valid_to": self.valid_to.data,
                "max_uses": self.max_uses.data}


class BookPaymentForm(FlaskForm):
    proforma = HiddenField(validators=[InputRequired(), Length(max=40)])
    amount = AmountField(_l("Amount received"), validators=[InputRequired(), amount_rules])


class SellerForm(FlaskForm):
    name = StringField(_l("Company name"), validators=[InputRequired(), Length(max=200)])
    address = StringField(_l("Street and number"), validators=[Length(max=300)])
    postal_code = StringField(_l("Postal code"), validators=[Length(max=20)])
    city = StringField(_l("City"), validators=[Length(max=100)])
    country = StringField(_l("Country"), description=_l("Two-letter code, e.g. PL."),
                          validators=[InputRequired(), Regexp(r"^\s*[A-Za-z]{2}\s*$",
                                                              message=_l("Two letters, e.g. PL."))])
    tax_id = StringField(_l("NIP / EU VAT id"), validators=[Length(max=32)])
    bank_name = StringField(_l("Bank name"), validators=[Length(max=200)])
    bank_account = StringField(_l("Bank account (IBAN)"),
                               description=_l("Printed on pro-formas for the transfer; spaces allowed."),
                               validators=[Length(max=50)])
    bank_swift = StringField(_l("BIC (SWIFT)"), description=_l("For transfers from abroad; printed with the IBAN."),
                             validators=[Length(max=11)])
    invoice_place = StringField(_l("Place of issue"), description=_l("Empty: the city."),
                                validators=[Length(max=100)])
    payment_days = WholeNumberField(_l("Payment days"), description=_l("Days from the pro-forma to its due date."),
                                    validators=[InputRequired(WHOLE), NumberRange(min=0, max=90)])

    FIELDS = billing.SELLER_FIELDS

    def values(self) -> dict:
        data = {key: getattr(self, key).data for key in self.FIELDS}
        data["country"] = (data["country"] or "").strip().upper()
        data["payment_days"] = str(data["payment_days"])  # the service reads 0 as "empty"
        return data

    def fill(self, row) -> None:
        for key in self.FIELDS:
            getattr(self, key).data = getattr(row, key)
        account = "".join((row.bank_account or "").split())
        self.bank_account.data = " ".join(account[i:i + 4] for i in range(0, len(account), 4))
