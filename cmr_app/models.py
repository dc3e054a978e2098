"""SQLAlchemy 2 models. The schema is made only by Alembic migrations (migrations/)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer,
                        LargeBinary, Numeric, String, Text, TypeDecorator, UniqueConstraint)
from sqlalchemy import event, false as sa_false
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import clock
from .extensions import db

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """Aware UTC in and out on every database (SQLite keeps no offset)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class TenantMixin:
    """Rows owned by one company. Inside a request every ORM query on these models is
    filtered by the current company (see tenant.py), so a view cannot forget it."""
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)


class Company(db.Model):
    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    tax_id: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="PL")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Warsaw")
    plan_code: Mapped[str] = mapped_column(String(32), default="free")
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Up to 1 MB: loaded only when read (the PDF renderer, the settings page), never with
    # every request that loads the company; logo_hash (kept by an event below) stands
    # for it in the PDF cache's key.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    logo_mime: Mapped[str] = mapped_column(String(40), default="")
    logo_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # New companies get the default that cannot be read as a date ("2026/11/00012");
    # companies made before keep what they had (services.numbering.LEGACY_PATTERN).
    numbering_pattern: Mapped[str] = mapped_column(String(80), default="{YYYY}/{MM}/{seq:05}")
    numbering_start: Mapped[int] = mapped_column(Integer, default=1)
    default_languages: Mapped[str] = mapped_column(String(20), default="pl,en,de")
    print_offset_x_mm: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    print_offset_y_mm: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    # The printer's scale for pre-printed blanks, in per cent (read on the calibration page).
    print_scale_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("100"),
                                                     server_default="100")
    enabled_features: Mapped[list] = mapped_column(JSONType, default=list)
    # Support access by consent (terms §14): platform support may read the documents and
    # the address book until this moment; None or past: no consent.
    support_access_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Blocking (terms §10.7): while set, the company's users, tokens and public pages are refused.
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    blocked_reason: Mapped[str] = mapped_column(String(500), default="")

    users: Mapped[list[User]] = relationship(back_populates="company", cascade="all, delete-orphan",
                                             passive_deletes=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default="owner")  # owner | editor | viewer
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(5), default="")
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Bumped on password change: invalidates reset links and other sessions.
    security_stamp: Mapped[int] = mapped_column(Integer, default=0)

    company: Mapped[Company] = relationship(back_populates="users")

    def get_id(self):
        return f"{self.id}:{self.security_stamp}"


class Invitation(TenantMixin, db.Model):
    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiToken(TenantMixin, db.Model):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()


class PartyColumns:
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    tax_id: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # Written with every save, read only by the search index: not loaded with the row.
    search_text: Mapped[str] = mapped_column(Text, default="", deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Client(TenantMixin, PartyColumns, db.Model):
    __tablename__ = "clients"
    id: Mapped[int] = mapped_column(primary_key=True)


class Carrier(TenantMixin, PartyColumns, db.Model):
    __tablename__ = "carriers"
    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_registration: Mapped[str] = mapped_column(String(100), default="")


class Product(TenantMixin, db.Model):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    marks: Mapped[str] = mapped_column(String(200), default="")
    packages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    packing: Mapped[str] = mapped_column(String(100), default="")
    nature: Mapped[str] = mapped_column(String(300), default="")
    statistical_number: Mapped[str] = mapped_column(String(20), default="")
    gross_weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(12, 3), nullable=True)
    volume_m3: Mapped[Decimal | None] = mapped_column(Numeric(12, 3), nullable=True)
    adr_class: Mapped[str] = mapped_column(String(10), default="")
    adr_un_number: Mapped[str] = mapped_column(String(10), default="")
    adr_packing_group: Mapped[str] = mapped_column(String(5), default="")
    adr_proper_shipping_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    adr_tunnel_code: Mapped[str] = mapped_column(String(10), default="", server_default="")
    adr_environmentally_hazardous: Mapped[bool] = mapped_column(Boolean, default=False,
                                                                server_default=sa_false())
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Document(TenantMixin, db.Model):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("company_id", "number"),
                      Index("ix_documents_company_id_id", "company_id", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default="issued")
    data: Mapped[dict] = mapped_column(JSONType)
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(12))
    issued_on: Mapped[date] = mapped_column(Date, index=True)
    # Written with every save, read only by the search index: not loaded with the row.
    search_text: Mapped[str] = mapped_column(Text, default="", deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    # The lifecycle (ECMR.md §1–2): the current version's number, and when and why the
    # document was cancelled (kept, marked) or withdrawn (content erased, number kept).
    version: Mapped[int] = mapped_column(Integer, default=1)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # e-CMR (ECMR.md §3): the first signature locks the content; the steps' times.
    first_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    taken_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True,
        order_by="DocumentVersion.version")


class DocumentVersion(db.Model):
    """One row per saved change of content: its fingerprint is the check code printed on
    the copies of that version, so a paper copy can be told current or superseded."""
    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(12), index=True)
    data: Mapped[dict] = mapped_column(JSONType)  # the content as saved; erased on withdrawal
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_by: Mapped[str] = mapped_column(String(254), default="")  # the e-mail at the time

    document: Mapped[Document] = relationship(back_populates="versions")


class DocumentEvent(TenantMixin, db.Model):
    """The document's record (ECMR.md §4): each event is stored as the exact canonical
    JSON that was hashed, so the chain can be recomputed from what the API returns."""
    __tablename__ = "document_events"
    __table_args__ = (UniqueConstraint("document_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    body: Mapped[str] = mapped_column(Text)  # canonical JSON of the event without its hash
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64))


class PublicView(TenantMixin, db.Model):
    """One opening of a public page of a document (the driver's page, its PDF, a
    signing page): when, which page, from where. Listed to the office."""
    __tablename__ = "public_views"
    __table_args__ = (Index("ix_public_views_document_id_id", "document_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    page: Mapped[str] = mapped_column(String(20))
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    code: Mapped[str] = mapped_column(String(40), default="")  # a check code asked about, if any


class DocumentTemplate(TenantMixin, db.Model):
    __tablename__ = "document_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class NumberSeries(db.Model):
    """The last number given in one company's series scope (a month, a year or 'all').
    Advanced with one guarded UPDATE inside the document's transaction: gapless."""
    __tablename__ = "number_series"
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class QuotaUsage(db.Model):
    """Documents created per company and local calendar month; never decremented."""
    __tablename__ = "quota_usage"
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Plan(db.Model):
    """The catalogue as rows: loaded from plans/catalogue.json, edited by admins."""
    __tablename__ = "plans"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    names: Mapped[dict] = mapped_column(JSONType)
    price_per_year: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    documents_per_month: Mapped[int] = mapped_column(Integer)
    users: Mapped[int] = mapped_column(Integer)
    archive_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    features: Mapped[list] = mapped_column(JSONType)
    position: Mapped[int] = mapped_column(Integer, default=0)
    edited_by_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Moved by every change: with the number of plans it tells a web process that the
    # catalogue it keeps is stale (entitlements.catalogue).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


class CompanyNotice(db.Model):
    """A message that must reach a company once (trial reminder, trial end, lapse…): the
    daily job inserts the row first and only the run that inserted it sends."""
    __tablename__ = "company_notices"
    __table_args__ = (UniqueConstraint("company_id", "kind", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class PlanAuditEntry(db.Model):
    """One admin change to the catalogue: who, when, which plan, and {field: [old, new]}.
    Keeps the admin's e-mail as written at the time, so the row survives the user."""
    __tablename__ = "plan_audit"
    __table_args__ = (Index("ix_plan_audit_plan_code_id", "plan_code", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_code: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(10))  # create | update
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    admin_email: Mapped[str] = mapped_column(String(254))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    changes: Mapped[dict] = mapped_column(JSONType)


# Billing (PLANS.md "Orders, discounts, pro-formas, invoices"). The operator's own
# documents: invoices outlive the company (accounting law), detached from it on deletion.

class SellerSettings(db.Model):
    """The operator's data printed on pro-formas and invoices (one row, set by admins)."""
    __tablename__ = "seller_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="PL")
    tax_id: Mapped[str] = mapped_column(String(32), default="")
    bank_name: Mapped[str] = mapped_column(String(200), default="")
    bank_account: Mapped[str] = mapped_column(String(40), default="")
    bank_swift: Mapped[str] = mapped_column(String(11), default="")  # BIC, for transfers from abroad
    invoice_place: Mapped[str] = mapped_column(String(100), default="")
    payment_days: Mapped[int] = mapped_column(Integer, default=7)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class PromoCode(db.Model):
    __tablename__ = "promo_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # percent | amount
    value: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    max_uses: Mapped[int | None] = mapped_column(Integer, nullable=True)
    used: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Order(db.Model):
    """A plan bought for a period; its pro-forma is issued with it, its invoice on payment.
    A renewal order points at the order whose period it continues: one per period."""
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    plan_code: Mapped[str] = mapped_column(String(32))
    period_months: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="new")  # new | renewal
    renews_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), unique=True, nullable=True)
    promo_code_id: Mapped[int | None] = mapped_column(ForeignKey("promo_codes.id"), nullable=True)
    payment_method: Mapped[str] = mapped_column(String(10), default="transfer")  # transfer | card
    buyer: Mapped[dict] = mapped_column(JSONType)
    amounts: Mapped[dict] = mapped_column(JSONType)  # the Quote, as decimal strings
    gross: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="PLN")
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | paid | cancelled
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    period_end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BillingDocument(db.Model):
    """A pro-forma or a VAT invoice, with the data printed on it frozen at issue."""
    __tablename__ = "billing_documents"
    __table_args__ = (UniqueConstraint("kind", "order_id"), UniqueConstraint("kind", "number"))
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # proforma | invoice
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    number: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    data: Mapped[dict] = mapped_column(JSONType)
    access_token: Mapped[str] = mapped_column(String(64), unique=True)
    # KSeF (VAT invoices only): the FA(3) XML made at issue, and where its sending stands:
    # pending | sending | sent | failed (KSeF refused; retried by `ksef send`) | invalid
    # (fails the FA(3) schema: never sent). services/ksef.py.
    ksef_status: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    ksef_xml: Mapped[str | None] = mapped_column(Text, nullable=True)
    ksef_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ksef_url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    ksef_reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ksef_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    ksef_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    ksef_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ksef_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ksef_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    order: Mapped[Order] = relationship()


class OperatorSeries(db.Model):
    """The operator's own numbering series (invoices FV/…, pro-formas PF/…)."""
    __tablename__ = "operator_series"
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("provider", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(20))  # admin | fake | …
    external_id: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class PaymentEvent(db.Model):
    """Every notification a payment provider sent that was refused (for admins)."""
    __tablename__ = "payment_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    payload: Mapped[str] = mapped_column(Text)
    problem: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Identical refusals are counted on one row (issue 10: an unsigned flood grew the log).
    digest: Mapped[str | None] = mapped_column(String(64), unique=True, index=True, nullable=True)
    repeats: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StripeCustomer(db.Model):
    """A company as a Stripe customer, and the card it saved for automatic renewal (a
    SetupIntent's payment method, charged off-session when the paid period ends)."""
    __tablename__ = "stripe_customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), unique=True)
    customer_id: Mapped[str] = mapped_column(String(255), unique=True)
    payment_method_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    card_brand: Mapped[str] = mapped_column(String(20), default="")
    card_last4: Mapped[str] = mapped_column(String(4), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class StripeIntent(db.Model):
    """A Stripe SetupIntent or PaymentIntent made for an order: the pay page and the
    daily job use the one already made instead of making (and charging) another."""
    __tablename__ = "stripe_intents"
    __table_args__ = (UniqueConstraint("order_id", "purpose"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # setup (card to save) | card | blik | p24 (payment on the page) | renewal (off-session)
    purpose: Mapped[str] = mapped_column(String(10))
    intent_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Subscription(db.Model):
    """A company's paid plan: the period paid for, and what happens at its end."""
    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), unique=True)
    plan_code: Mapped[str] = mapped_column(String(32))
    period_months: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    current_order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    payment_method: Mapped[str] = mapped_column(String(10), default="transfer")
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=False)
    next_plan_code: Mapped[str | None] = mapped_column(String(32), nullable=True)  # a move down at renewal
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | lapsed


# e-CMR (ECMR.md §3): signing on a phone.

class SigningLink(TenantMixin, db.Model):
    """A one-time link for one signature of one role on one version of a document."""
    __tablename__ = "signing_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # sender | carrier | consignee
    token: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Signature(TenantMixin, db.Model):
    """One signature given through a signing link: the image as drawn (re-encoded), who,
    when (on the phone and on the server), where, and the reservations made."""
    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("document_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("signing_links.id", ondelete="CASCADE"), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    signer_name: Mapped[str] = mapped_column(String(200))
    image: Mapped[bytes] = mapped_column(LargeBinary)  # PNG, re-encoded
    image_sha256: Mapped[str] = mapped_column(String(64))
    reservations: Mapped[list] = mapped_column(JSONType, default=list)
    position: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    submission_id: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class SignaturePhoto(TenantMixin, db.Model):
    """A photo taken at signing (the state of the goods), decoded and re-encoded."""
    __tablename__ = "signature_photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signatures.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    image: Mapped[bytes] = mapped_column(LargeBinary)  # JPEG, re-encoded
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


# --- Hardening (issue 10, item 4): the e-mail outbox ---

class OutboxMail(db.Model):
    """An e-mail to send, written in the same transaction as what caused it; the sender
    (cmr_app/sender.py) delivers it and retries with back-off, so neither Redis nor SMTP
    being away loses it. Platform-wide (no TenantMixin): jobs and admins read all rows;
    pages of a company filter by company_id themselves."""
    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_mails_status_next", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"),
                                                   nullable=True, index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"),
                                                    nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(40))  # the template: activate, reset, invite, document …
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # What to attach, made at send time: {"type": "document_pdf" | "billing_pdf", "id": n}
    attachment: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


def logo_hash(content: bytes | None) -> str | None:
    import hashlib
    return hashlib.sha256(content).hexdigest() if content else None


@event.listens_for(Company.logo, "set")
def _keep_logo_hash(company, value, old, initiator):
    company.logo_hash = logo_hash(value)


# --- The owner's export (issue 15, item 2; terms §11.6, GDPR art. 20) ---

class AccountExport(TenantMixin, db.Model):
    """One ZIP of everything a company keeps here, made by a job into EXPORT_DIR and
    downloadable through its random token until expires_at (7 days after it is ready).
    The row outlives the file, so an old link answers "expired", not "not found"."""
    __tablename__ = "account_exports"
    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                        nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)  # pending | building | ready | failed
    token: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    file_name: Mapped[str | None] = mapped_column(String(200), nullable=True)  # None once deleted
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    summary: Mapped[dict | None] = mapped_column(JSONType, nullable=True)  # counts of what is inside
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # moved on at each page
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SupportAccessEntry(TenantMixin, db.Model):
    """The owner's record of support access (terms §14): consent given or withdrawn, and
    every look by a platform admin (who, when, what). The e-mail is kept as written at
    the time, so the row survives the admin's user."""
    __tablename__ = "support_access_log"
    __table_args__ = (Index("ix_support_access_log_company_id_id", "company_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    action: Mapped[str] = mapped_column(String(20))  # granted | withdrawn | viewed
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    user_email: Mapped[str] = mapped_column(String(254))
    what: Mapped[str] = mapped_column(String(300), default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # of a consent given
