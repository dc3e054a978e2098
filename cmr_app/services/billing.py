"""Orders, promo codes, pro-formas, VAT invoices and booking payments (PLANS.md §5–6).

Money is Decimal from the pure `plans.quote`; invoice and pro-forma numbers come from
the operator's gapless series inside the transaction that issues them."""
from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated
from zoneinfo import ZoneInfo

import plans
from flask import current_app, url_for
from flask_babel import gettext as _
from pydantic import StringConstraints
from sqlalchemy import func, or_, select, update

from .. import clock
from ..errors import Conflict, NotFound, ServiceError, ValidationFailed
from ..extensions import db
from ..models import BillingDocument, Company, Order, Payment, PromoCode, SellerSettings, Subscription, User
from ..schemas import Model, Party, parse
from ..taxid import check_tax_id
from . import accounts, entitlements, ksef, mailing, numbering

INVOICE_PATTERN = "FV/{seq}/{MM}/{YYYY}"
PROFORMA_PATTERN = "PF/{seq}/{MM}/{YYYY}"
OPERATOR_TZ = "Europe/Warsaw"
DEFAULT_SELLER = {"name": "Savesta Consulting sp. z o.o.", "address": "ul. Szczęśliwicka 2/26",
                  "postal_code": "02-352", "city": "Warszawa", "country": "PL", "tax_id": "7010847517",
                  "invoice_place": "Warszawa", "payment_days": 7}


class InvoiceData(Party):
    """The buyer on the pro-forma and invoice: a company with its address; a NIP for
    Polish buyers, an EU VAT id for foreign ones (reverse charge when valid)."""
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

    @classmethod
    def describe(cls, schema: dict) -> None:
        """A Polish buyer must give the NIP (_buyer)."""
        super().describe(schema)
        for rule in schema["anyOf"]:
            if rule["properties"].get("country") == {"const": "PL"}:
                rule["required"] = ["country", "tax_id"]
                rule["properties"]["tax_id"] = rule["properties"]["tax_id"]["anyOf"][1]  # not the blank


class OrderIn(Model):
    plan: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1)]
    period_months: int
    promo_code: str | list | None = None
    payment_method: Annotated[str, StringConstraints(pattern=r"^(transfer|card)$")] = "transfer"
    invoice: InvoiceData


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def _local_now(now=None):
    """The operator's local time: `now` (a moment already read) or the clock's."""
    return (now or clock.now()).astimezone(ZoneInfo(OPERATOR_TZ))


# Seller data

def seller() -> SellerSettings:
    row = db.session.scalar(select(SellerSettings).order_by(SellerSettings.id).limit(1))
    if row is None:
        row = SellerSettings(**DEFAULT_SELLER)
        db.session.add(row)
        db.session.flush()
    return row


def seller_dict(row: SellerSettings) -> dict:
    return {k: getattr(row, k) for k in ("name", "address", "postal_code", "city", "country", "tax_id",
                                         "bank_name", "bank_account", "bank_swift")}


# What a pro-forma needs of the seller: who is paid, and where (IBAN and BIC).
SELLER_REQUIRED = ("name", "address", "postal_code", "city", "country", "tax_id", "bank_account", "bank_swift")


class SellerIncomplete(Conflict):
    code = "seller_incomplete"


def seller_missing(row: SellerSettings | None = None) -> list[str]:
    row = row or seller()
    return [k for k in SELLER_REQUIRED if not (getattr(row, k) or "").strip()]


def require_complete_seller() -> SellerSettings:
    """A pro-forma is a request to pay: without the seller's account it cannot be paid."""
    row = seller()
    missing = seller_missing(row)
    if missing:
        raise SellerIncomplete(_("Orders cannot be placed just now: the seller's data is incomplete "
                                 "(missing: %(fields)s). Please try again later.", fields=", ".join(missing)),
                               {"missing": missing})
    return row


# Promo codes

def find_promo(code: str) -> PromoCode | None:
    return db.session.scalar(select(PromoCode).where(func.upper(PromoCode.code) == code.strip().upper()))


def _as_promo(row: PromoCode) -> plans.Promo:
    return plans.Promo(code=row.code, kind=row.kind, value=row.value, valid_from=row.valid_from,
                       valid_to=row.valid_to, max_uses=row.max_uses, used=row.used)


PROMO_MESSAGES = {
    "expired": lambda: _("This promo code has expired."),
    "not_yet_valid": lambda: _("This promo code is not valid yet."),
    "exhausted": lambda: _("This promo code has been used up."),
}


def create_promo(code: str, kind: str, value, valid_from=None, valid_to=None, max_uses=None) -> PromoCode:
    errors = {}
    code = (code or "").strip().upper()
    if not code or len(code) > 40 or not all(c.isalnum() or c in "-_" for c in code):
        errors["code"] = [_("Use letters, digits, - and _ (at most 40).")]
    elif find_promo(code):
        errors["code"] = [_("This code already exists.")]
    if kind not in ("percent", "amount"):
        errors["kind"] = [_("Choose percent or amount.")]
    try:
        value = Decimal(str(value)).quantize(Decimal("0.01"))
        if value <= 0 or (kind == "percent" and value > 100):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["value"] = [_("Enter a positive amount (a percent at most 100).")]
    if max_uses is not None and (not isinstance(max_uses, int) or max_uses < 1):
        errors["max_uses"] = [_("Enter a whole number of at least 1.")]
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = [_("The end is before the start.")]
    if errors:
        raise ValidationFailed(errors)
    row = PromoCode(code=code, kind=kind, value=value, valid_from=valid_from, valid_to=valid_to,
                    max_uses=max_uses)
    db.session.add(row)
    db.session.commit()
    return row


def _use_promo(row: PromoCode) -> bool:
    """Counts one use unless the limit is reached: one guarded UPDATE, so two orders at
    the same moment can never pass max_uses."""
    result = db.session.execute(
        update(PromoCode).where(PromoCode.id == row.id,
                                or_(PromoCode.max_uses.is_(None), PromoCode.used < PromoCode.max_uses))
        .values(used=PromoCode.used + 1).execution_options(synchronize_session=False))
    return result.rowcount == 1


# Orders and pro-formas

def _buyer(data: InvoiceData) -> dict:
    buyer = data.model_dump(mode="json")
    reverse = plans.reverse_charge_applies(buyer["country"], buyer["tax_id"]) if buyer["tax_id"] else False
    if buyer["country"] == "PL" and not buyer["tax_id"]:
        raise ValidationFailed({"invoice.tax_id": [_("Enter the NIP of the company.")]})
    buyer["reverse_charge"] = reverse
    return buyer


def price(plan_code: str, period_months: int, promo_code: str | None, buyer: dict) -> tuple[plans.Quote, PromoCode | None]:
    catalogue = entitlements.catalogue()
    plan = catalogue.get(plan_code)
    errors = {}
    if plan is None or plan.is_free:
        errors["plan"] = [_("Choose a paid plan.")]
    if period_months not in catalogue.billing_periods:
        errors["period_months"] = [_("Choose 12 or 24 months.")]
    promo_row = None
    if promo_code:
        promo_row = find_promo(promo_code)
        if promo_row is None:
            errors["promo_code"] = [_("There is no such promo code.")]
    if errors:
        raise ValidationFailed(errors)
    quote = plans.quote(plan, period_months, _as_promo(promo_row) if promo_row else None,
                        reverse_charge=buyer["reverse_charge"], today=_local_now().date(),
                        period_discounts=catalogue.billing_periods)
    if quote.promo_problem:
        raise ValidationFailed({"promo_code": [PROMO_MESSAGES[quote.promo_problem]()]})
    return quote, promo_row


def quote_dict(quote: plans.Quote) -> dict:
    return {"list_price": _money(quote.list_price), "period_discount": _money(quote.period_discount),
            "promo_code": quote.promo_code, "promo_discount": _money(quote.promo_discount),
            "net": _money(quote.net), "vat_rate": str(int(quote.vat_rate * 100)), "vat": _money(quote.vat),
            "gross": _money(quote.gross), "reverse_charge": quote.reverse_charge}


def _parse_order(payload: dict):
    if isinstance(payload.get("promo_code"), list) or (
            isinstance(payload.get("promo_code"), str) and len(payload["promo_code"].replace(",", " ").split()) > 1):
        raise ValidationFailed({"promo_code": [_("Only one promo code can be used per order.")]})
    data = parse(OrderIn, payload)
    if data.payment_method == "card" and not online_payment():
        raise ValidationFailed({"payment_method": [_("Card payment is not available: choose bank transfer.")]})
    buyer = _buyer(data.invoice)
    quote, promo_row = price(data.plan, data.period_months, (data.promo_code or "").strip() or None, buyer)
    return data, buyer, quote, promo_row


def online_payment() -> bool:
    """Whether a payment provider is configured (PAYMENT_PROVIDER). Without one there is
    only the bank transfer against the pro-forma, booked by an admin."""
    return bool(current_app.config.get("PAYMENT_PROVIDER"))


def quote_order(user: User, payload: dict) -> dict:
    """What the order would cost, without placing it (the order form's "Check price")."""
    accounts.require_owner(user)
    return quote_dict(_parse_order(payload)[2])


def create_order(user: User, payload: dict) -> Order:
    """An order for a paid plan and its pro-forma (terms §5.2–5.6)."""
    accounts.require_owner(user)
    accounts.require_unrestricted(user)
    data, buyer, quote, promo_row = _parse_order(payload)
    require_complete_seller()
    # The company row is locked so two orders placed at once run one after the other:
    # the second sees and replaces the first, and one pro-forma stays open.
    company = _lock_company(user.company_id)
    replaced = _replace_open_orders(user.company_id, data)
    if promo_row is not None and not _use_promo(promo_row):
        db.session.rollback()
        raise ValidationFailed({"promo_code": [PROMO_MESSAGES["exhausted"]()]})
    order = Order(company_id=user.company_id, plan_code=data.plan, period_months=data.period_months,
                  kind="new", promo_code_id=promo_row.id if promo_row else None,
                  payment_method=data.payment_method, buyer=buyer, amounts=quote_dict(quote),
                  gross=quote.gross, created_at=clock.now())
    db.session.add(order)
    db.session.flush()
    proforma = issue_proforma(order)
    mailing.proforma_issued(proforma.id, renewal=False)  # the e-mail commits with the order
    db.session.commit()
    order.replaced_proformas = replaced
    order.features_suspended = features_suspended(company, data.plan)
    return order


def _lock_company(company_id: int) -> Company:
    """The company row, locked to the end of the transaction. SQLite has no row locks
    (FOR UPDATE is left out there): a write to the row takes its database-wide write lock,
    so a second order waits and then reads what the first committed."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Company).where(Company.id == company_id).values(id=Company.id)
                           .execution_options(synchronize_session=False))
    return db.session.scalar(select(Company).where(Company.id == company_id).with_for_update())


def features_suspended(company: Company, plan_code: str) -> list[str]:
    """The switched-on features that `plan_code` lacks: once it is in force they stop
    working (kept, not deleted) until a plan that has them is."""
    plan = entitlements.catalogue().get(plan_code)
    if plan is None:
        return []
    return sorted(set(company.enabled_features or ()) - plan.features)


# Cancelling an unpaid pro-forma

def _cancel_order(order_id: int) -> bool:
    """pending → cancelled, guarded: a payment booked at the same moment wins, and a
    cancelled order can no longer be paid (book_payment claims only pending ones)."""
    return db.session.execute(
        update(Order).where(Order.id == order_id, Order.status == "pending")
        .values(status="cancelled", cancelled_at=clock.now())
        .execution_options(synchronize_session=False)).rowcount == 1


def _replace_open_orders(company_id: int, data) -> list[str]:
    """A new order cancels the company's open order for another plan or period (one
    pro-forma to pay at a time); the same order again is refused, naming the pro-forma
    that is already waiting. Renewal pro-formas are left alone: they continue the
    running period."""
    open_orders = list(db.session.scalars(select(Order).where(
        Order.company_id == company_id, Order.status == "pending", Order.kind == "new")))
    cancelled = []
    for order in open_orders:
        proforma = proforma_of(order)
        if order.plan_code == data.plan and order.period_months == data.period_months:
            raise Conflict(_("Pro-forma %(number)s for this plan is already waiting for payment: pay it, or "
                             "cancel it first.", number=proforma.number if proforma else order.id),
                           {"proforma": proforma.number if proforma else None,
                            "invoice_id": proforma.id if proforma else None})
        if _cancel_order(order.id) and proforma is not None:
            cancelled.append(proforma.number)
    return cancelled


def cancel_proforma(user: User, document_id: int) -> BillingDocument:
    """`POST /invoices/{id}/cancel`: an unpaid pro-forma of the user's company."""
    document = company_document(user.company_id, document_id)  # another company's: 404 first
    accounts.require_owner(user)
    if document.kind != "proforma":
        raise Conflict(_("A VAT invoice cannot be cancelled; it can only be corrected."))
    if not _cancel_order(document.order_id):
        db.session.rollback()
        db.session.refresh(document.order)
        raise Conflict(_("Pro-forma %(number)s is %(status)s: only an unpaid pro-forma can be cancelled.",
                         number=document.number, status=_order_status_label(document.order.status)))
    db.session.commit()
    db.session.refresh(document.order)
    return document


def _order_status_label(status: str) -> str:
    return {"paid": _("paid"), "cancelled": _("already cancelled")}.get(status, status)


def _line(order: Order, start=None, end=None) -> dict:
    plan = entitlements.catalogue().get(order.plan_code)
    name = plan.name("pl") if plan else order.plan_code
    months = order.period_months
    description = f"CMR Online – abonament {name}, {months} mies. / subscription {name}, {months} months"
    if start and end:
        tz = ZoneInfo(OPERATOR_TZ)
        description += (f" ({start.astimezone(tz):%d.%m.%Y}–"
                        f"{(end.astimezone(tz) - timedelta(days=1)):%d.%m.%Y})")
    a = order.amounts
    discount = Decimal(a["period_discount"]) + Decimal(a["promo_discount"])
    return {"description": description, "quantity": "1", "unit": "usł.", "net_price": a["list_price"],
            "discount": _money(discount), "net": a["net"], "vat_rate": a["vat_rate"], "vat": a["vat"],
            "gross": a["gross"]}


def document_totals(lines: list[dict], amounts: dict) -> dict:
    """The document's totals, computed once from its lines and checked against the order's
    quote: a difference is a bug, never something to print."""
    totals = {key: _money(sum((Decimal(line[key]) for line in lines), Decimal(0))) for key in ("net", "vat", "gross")}
    expected = {key: _money(amounts[key]) for key in ("net", "vat", "gross")}
    if totals != expected:
        raise ValueError(f"the lines add up to {totals}, the order to {expected}")
    return totals


def _document_data(kind: str, order: Order, number: str, *, today, due_date=None, start=None, end=None,
                   paid_date=None, proforma_number=None) -> dict:
    row = seller()
    a = order.amounts
    notes = []
    if a["promo_code"]:
        notes.append(f"Kod rabatowy / promo code: {a['promo_code']}")
    lines = [_line(order, start, end)]
    return {"kind": kind, "number": number, "place": row.invoice_place or row.city,
            "issue_date": today.isoformat(),
            # A pro-forma sells nothing yet: it has no date of sale.
            "sale_date": (paid_date or today).isoformat() if kind == "invoice" else None,
            "due_date": due_date.isoformat() if due_date else None,
            "seller": seller_dict(row), "buyer": {k: v for k, v in order.buyer.items() if k != "reverse_charge"},
            "lines": lines, "totals": document_totals(lines, a), "payment_kind": order.payment_method,
            "vat_rate": a["vat_rate"], "reverse_charge": a["reverse_charge"], "currency": order.currency,
            "payment_title": proforma_number or number, "payment_method": "przelew / bank transfer"
            if order.payment_method == "transfer" else "karta / card",
            "paid": paid_date is not None, "paid_date": paid_date.isoformat() if paid_date else None,
            "proforma_number": proforma_number, "notes": notes}


def issue_proforma(order: Order) -> BillingDocument:
    require_complete_seller()
    now = clock.now()  # read once: the number's month, the dates and the time agree at midnight
    now_local = _local_now(now)
    number = numbering.next_operator_number("proforma", PROFORMA_PATTERN, now_local)
    due = now_local.date() + timedelta(days=seller().payment_days or 7)
    document = BillingDocument(kind="proforma", company_id=order.company_id, order_id=order.id, number=number,
                               issued_at=now, due_date=due, access_token=secrets.token_urlsafe(24),
                               data=_document_data("proforma", order, number, today=now_local.date(),
                                                   due_date=due))
    db.session.add(document)
    db.session.flush()
    return document


def proforma_of(order: Order) -> BillingDocument | None:
    return db.session.scalar(select(BillingDocument).where(BillingDocument.order_id == order.id,
                                                           BillingDocument.kind == "proforma"))


def document_url(document: BillingDocument) -> str:
    return current_app.config["BASE_URL"] + url_for("billing.document_pdf", token=document.access_token)


def document_dict(document: BillingDocument) -> dict:
    totals = document.data["totals"]
    order = document.order
    extra = {}
    if document.kind == "invoice":
        extra = {"ksef_status": document.ksef_status, "ksef_number": document.ksef_number,
                 "ksef_xml_url": current_app.config["BASE_URL"] + url_for("api.invoice_ksef_xml", invoice_id=document.id)}
    return {"id": document.id, **extra, "kind": document.kind, "number": document.number, "net": totals["net"], "vat": totals["vat"],
            "gross": totals["gross"], "currency": document.data.get("currency", "PLN"),
            "status": ("paid" if order.status == "paid" else order.status) if document.kind == "proforma" else "paid",
            "issued_at": document.issued_at.isoformat(), "due_date": document.data.get("due_date"),
            "pdf_url": document_url(document)}


def order_dict(order: Order) -> dict:
    proforma = proforma_of(order)
    return {"id": order.id, "plan": order.plan_code, "period_months": order.period_months,
            "status": order.status, "kind": order.kind, "amounts": order.amounts,
            "proforma": document_dict(proforma) if proforma else None,
            "cancelled_proformas": getattr(order, "replaced_proformas", []),
            "features_suspended": getattr(order, "features_suspended", [])}


def list_documents(company_id: int) -> list[BillingDocument]:
    return list(db.session.scalars(select(BillingDocument).where(BillingDocument.company_id == company_id)
                                   .order_by(BillingDocument.issued_at.desc(), BillingDocument.id.desc())))


def company_document(company_id: int, document_id: int) -> BillingDocument:
    from ..tenant import get_owned
    return get_owned(BillingDocument, document_id, company_id)


def document_by_token(token: str) -> BillingDocument:
    document = db.session.scalar(select(BillingDocument).where(BillingDocument.access_token == token))
    if document is None:
        raise NotFound()
    return document


def render(document: BillingDocument) -> bytes:
    import renderers
    data = document.data
    if document.kind == "invoice":
        data = {**data, "ksef": ksef.print_data(document)}
    elif document.order.status == "cancelled":
        data = {**data, "cancelled": True}
    return renderers.render_billing_document(data)


# Payments

class PaymentRefused(ServiceError):
    status, code = 409, "conflict"


def find_order_by_proforma(number: str) -> Order:
    document = db.session.scalar(select(BillingDocument).where(BillingDocument.kind == "proforma",
                                                               BillingDocument.number == number.strip()))
    if document is None:
        raise NotFound(_("There is no pro-forma %(number)s.", number=number))
    return document.order


def exact_amount(value) -> Decimal:
    """An amount received, taken as it was sent: a number with at most two decimal places
    (602.695 is refused, not rounded to the 602.70 that is due)."""
    try:
        amount = Decimal(str(value).strip())
        rounded = amount.quantize(Decimal("0.01"))  # raises for infinity and 1E+99
    except (InvalidOperation, ValueError):
        raise PaymentRefused(_("The amount is not a number."))
    if not amount.is_finite():
        raise PaymentRefused(_("The amount is not a number."))
    if rounded != amount:
        raise PaymentRefused(_("The amount %(amount)s has more than two decimal places.", amount=str(amount)),
                             {"received": str(amount)})
    return rounded


def book_payment(order: Order, amount, *, provider: str, external_id: str,
                 booked_by: User | None = None) -> tuple[BillingDocument, bool]:
    """Books the payment of an order: activates or extends the plan and issues the VAT
    invoice. Returns (invoice, newly_booked). Booking the same order again changes
    nothing: the guarded UPDATE lets exactly one booking through, however many arrive."""
    amount = exact_amount(amount)
    if amount != order.gross:
        raise PaymentRefused(_("The amount %(amount)s does not match the order's %(gross)s.",
                               amount=_money(amount), gross=_money(order.gross)),
                             {"expected": _money(order.gross), "received": _money(amount)})
    now = clock.now()
    claimed = db.session.execute(update(Order).where(Order.id == order.id, Order.status == "pending")
                                 .values(status="paid", paid_at=now)
                                 .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        existing = db.session.scalar(select(BillingDocument).where(BillingDocument.order_id == order.id,
                                                                   BillingDocument.kind == "invoice"))
        if existing is None:
            raise PaymentRefused(_("This order cannot be paid any more."))
        return existing, False
    db.session.refresh(order)
    db.session.add(Payment(order_id=order.id, provider=provider, external_id=external_id, amount=amount,
                           booked_at=now, booked_by_id=booked_by.id if booked_by else None))
    start, end = _activate(order, now)
    order.period_start, order.period_end = start, end
    # The clock read once (`now`): at midnight the number's month, the dates of issue, sale
    # and payment and the time of issue name the same day.
    local = _local_now(now)
    number = numbering.next_operator_number("invoice", INVOICE_PATTERN, local)
    proforma = proforma_of(order)
    invoice = BillingDocument(kind="invoice", company_id=order.company_id, order_id=order.id, number=number,
                              issued_at=now, access_token=secrets.token_urlsafe(24),
                              data=_document_data("invoice", order, number, today=local.date(), start=start,
                                                  end=end, paid_date=local.date(),
                                                  proforma_number=proforma.number if proforma else None))
    ksef.prepare(invoice)
    db.session.add(invoice)
    db.session.flush()
    mailing.after_payment(invoice.id)  # the e-mail commits with the payment
    db.session.commit()
    ksef.schedule(invoice.id)
    return invoice, True


def _activate(order: Order, now):
    """The new paid period. A renewal of the running period, or the same plan bought
    again before the end, continues it without a gap; a move up, or a payment after the
    account has lapsed to Free, starts now."""
    # The company row is locked so two payments of one company book one after the other.
    company = db.session.scalar(select(Company).where(Company.id == order.company_id).with_for_update())
    sub = db.session.scalar(select(Subscription).where(Subscription.company_id == company.id))
    previous = entitlements.plan_in_force(company)  # before this payment: what it adds is switched on
    continues = sub is not None and sub.status == "active" and (
        order.renews_order_id == sub.current_order_id
        or (sub.period_end > now and sub.plan_code == order.plan_code))
    start, end = plans.period_from(sub.period_end if continues else now, order.period_months, company.timezone)
    if sub is None:
        sub = Subscription(company_id=company.id)
        db.session.add(sub)
    if not continues:
        sub.period_start = start
    sub.plan_code, sub.period_months = order.plan_code, order.period_months
    sub.period_end = end
    sub.current_order_id = order.id
    sub.payment_method = order.payment_method
    sub.auto_renew = order.payment_method == "card"
    sub.next_plan_code = None
    sub.status = "active"
    if not continues:  # a renewal paid ahead changes the plan when its period starts
        from . import account
        target = entitlements.catalogue().get(order.plan_code)
        if target is not None:
            account.move_to_plan(company, target, previous)
        else:
            company.plan_code = order.plan_code
    entitlements.forget_catalogue()
    return start, end


def create_renewal(sub: Subscription) -> Order | None:
    """The renewal order and its pro-forma for the period after `sub`'s, at current prices
    (same plan, or the lower one chosen for the renewal; same period length; no promo).
    Exactly one per period: the unique renews_order_id turns a second attempt, in a retry
    or a parallel run, into a rollback that leaves no order and no pro-forma number."""
    from sqlalchemy.exc import IntegrityError
    previous = db.session.get(Order, sub.current_order_id)
    if db.session.scalar(select(Order.id).where(Order.renews_order_id == previous.id)):
        return None
    buyer = dict(previous.buyer)
    buyer["reverse_charge"] = (plans.reverse_charge_applies(buyer["country"], buyer["tax_id"])
                               if buyer.get("tax_id") else False)
    plan_code = sub.next_plan_code or sub.plan_code
    quote, _promo = price(plan_code, sub.period_months, None, buyer)
    order = Order(company_id=sub.company_id, plan_code=plan_code, period_months=sub.period_months,
                  kind="renewal", renews_order_id=previous.id, payment_method=sub.payment_method,
                  buyer=buyer, amounts=quote_dict(quote), gross=quote.gross, created_at=clock.now())
    db.session.add(order)
    try:
        db.session.flush()
        proforma = issue_proforma(order)
        mailing.proforma_issued(proforma.id, renewal=True)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    except SellerIncomplete:
        # No pro-forma without the seller's account; the next daily run tries again.
        db.session.rollback()
        current_app.logger.error("renewal pro-forma not issued: the seller data is incomplete (%s)",
                                 ", ".join(seller_missing()))
        return None
    return order


def renewal_order(sub: Subscription) -> Order | None:
    return db.session.scalar(select(Order).where(Order.renews_order_id == sub.current_order_id))


# Administration

SELLER_FIELDS = ("name", "address", "postal_code", "city", "country", "tax_id", "bank_name",
                 "bank_account", "bank_swift", "invoice_place", "payment_days")


def update_seller(data: dict) -> SellerSettings:
    """The operator's data on pro-formas and invoices: NIP and IBAN checked by checksum."""
    from stdnum import iban
    from stdnum.exceptions import ValidationError as StdnumError
    row = seller()
    values = {}
    for key in SELLER_FIELDS:
        value = data.get(key, getattr(row, key))
        values[key] = "" if value is None else str(value).strip()
    errors = {}
    if not values["name"]:
        errors["name"] = [_("This field is required.")]
    normalized, problem = check_tax_id(values["country"] or "PL", values["tax_id"])
    if problem:
        errors["tax_id"] = [problem]
    values["tax_id"] = normalized
    if values["bank_account"]:
        try:
            values["bank_account"] = iban.validate(values["bank_account"])
        except StdnumError:
            errors["bank_account"] = [_("This IBAN is not valid (check digits).")]
    if values["bank_swift"]:
        from stdnum import bic
        try:
            values["bank_swift"] = bic.validate(values["bank_swift"])
        except StdnumError:
            errors["bank_swift"] = [_("This BIC (SWIFT code) is not valid: 8 or 11 letters and digits.")]
    try:
        values["payment_days"] = int(values["payment_days"])
        if not 0 <= values["payment_days"] <= 90:
            raise ValueError
    except ValueError:
        errors["payment_days"] = [_("Enter a whole number from 0 to 90.")]
    if errors:
        raise ValidationFailed(errors)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = clock.now()
    db.session.commit()
    return row


def list_promos() -> list[PromoCode]:
    return list(db.session.scalars(select(PromoCode).order_by(PromoCode.created_at.desc(), PromoCode.id.desc())))


def open_proformas() -> list[BillingDocument]:
    return list(db.session.scalars(
        select(BillingDocument).join(Order, Order.id == BillingDocument.order_id)
        .where(BillingDocument.kind == "proforma", Order.status == "pending")
        .order_by(BillingDocument.issued_at)))


def recent_invoices(limit: int = 50) -> list[tuple[BillingDocument, Payment | None, str | None]]:
    """The latest VAT invoices with the payment each one was issued for and the e-mail of
    the admin who booked it, if one did (admin's Payments page)."""
    return [tuple(row) for row in db.session.execute(
        select(BillingDocument, Payment, User.email)
        .outerjoin(Payment, Payment.order_id == BillingDocument.order_id)
        .outerjoin(User, User.id == Payment.booked_by_id)
        .where(BillingDocument.kind == "invoice")
        .order_by(BillingDocument.issued_at.desc(), BillingDocument.id.desc()).limit(limit))]


def company_names(company_ids) -> dict[int, str]:
    ids = {i for i in company_ids if i is not None}
    if not ids:
        return {}
    return {row.id: row.name for row in db.session.execute(
        select(Company.id, Company.name).where(Company.id.in_(ids)).execution_options(all_tenants=True))}


def promo_status(row: PromoCode) -> str:
    """active | not_yet_valid | expired | exhausted, today in the operator's time zone."""
    today = _local_now().date()
    if row.valid_from is not None and today < row.valid_from:
        return "not_yet_valid"
    if row.valid_to is not None and today > row.valid_to:
        return "expired"
    if row.max_uses is not None and row.used >= row.max_uses:
        return "exhausted"
    return "active"
