"""KSeF, the national e-invoicing system: every VAT invoice also exists as FA(3) XML.

The XML is made once, when the invoice is issued, from the invoice's frozen data with
`ksef-client`'s FA(3) builder and checked against the official XSD it ships. An invoice
whose XML fails the schema is marked "invalid", keeps the schema's message for admins
and is never sent. The others are "pending": with KSEF_URL, KSEF_TOKEN and KSEF_NIP set
a queue job sends each in an online session (token authentication, the session key
encrypted for KSeF, the invoice AES-encrypted) and stores the KSeF number and the
verification link (KOD I) printed as a QR code on the PDF. Unset or unreachable, the
invoice waits in the database; `flask ksef send` (cron) sends what waits. Exactly one
sender works on an invoice at a time (a guarded UPDATE claims it)."""
from __future__ import annotations

import logging
import time
from datetime import date, timedelta, timezone
from decimal import Decimal

from flask import current_app
from sqlalchemy import or_, select, update

from .. import clock, tasks
from ..extensions import db
from ..models import BillingDocument

log = logging.getLogger(__name__)

FIRST_BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
STALE_CLAIM = timedelta(minutes=15)
STATUS_POLLS = 30            # KSeF processes an invoice in seconds; then it waits for the next run
POLL_INTERVAL = 1.0
TIMEOUT_SECONDS = 20.0
SYSTEM_INFO = "CMR Online"
EU_COUNTRIES = frozenset("AT BE BG CY CZ DE DK EE EL ES FI FR GR HR HU IE IT LT LU LV MT NL PT RO SE SI SK".split())


class InvalidInvoice(Exception):
    """The invoice's data does not make a valid FA(3) document (the schema's message)."""


# The FA(3) document

def _address(party: dict):
    from ksef_client.documents.fa3 import Address
    city = " ".join(x for x in ((party.get("postal_code") or "").strip(), (party.get("city") or "").strip()) if x)
    return Address.foreign((party.get("country") or "PL").upper(), (party.get("address") or "").strip(),
                           city or None)


def _party(party: dict, *, reverse_charge: bool):
    from ksef_client.documents.fa3 import InvoiceParty
    country = (party.get("country") or "PL").upper()
    tax_id = "".join((party.get("tax_id") or "").split()).upper()
    name = (party.get("name") or "").strip()
    if country == "PL":
        nip = tax_id[2:] if tax_id.startswith("PL") else tax_id
        return InvoiceParty.polish_company(nip=nip, name=name, address=_address(party))
    if not tax_id:
        return InvoiceParty.without_tax_id(name=name, address=_address(party), country_code=country)
    if country in EU_COUNTRIES and reverse_charge:
        prefix = "EL" if country == "GR" else country
        number = tax_id[len(prefix):] if tax_id.startswith(prefix) else tax_id
        return InvoiceParty.eu_company(vat_id=number, country_code=prefix, name=name, address=_address(party))
    return InvoiceParty.foreign_company(identifier=tax_id, country_code=country, name=name, address=_address(party))


def _tax(vat_rate: str, reverse_charge: bool):
    from ksef_client.documents.fa3 import TaxCategory
    if reverse_charge:
        # A service to a taxable person in another EU state (art. 28b), reported in VAT-UE
        # (art. 100 ust. 1 pkt 4): "np II", and P_18 (reverse charge) in the annotations.
        return TaxCategory.outside_country_2()
    return TaxCategory.from_vat_rate(vat_rate)


def build_xml(data: dict, issued_at) -> bytes:
    """The FA(3) XML of a VAT invoice from its frozen data, checked against the XSD.
    Raises InvalidInvoice with the builder's or the schema's message."""
    from ksef_client.documents.fa3 import Discount, FA3Invoice, FA3XmlValidationError, validate_fa3_xml_xsd
    from lxml import etree
    reverse_charge = bool(data.get("reverse_charge"))
    try:
        builder = (FA3Invoice.basic(data["number"])
                   .issued_on(date.fromisoformat(data["issue_date"]))
                   .issue_place(data.get("place") or "")
                   .sale_date(date.fromisoformat(data["sale_date"]))
                   .currency(data.get("currency") or "PLN")
                   .seller(_party(data["seller"], reverse_charge=False))
                   .buyer(_party(data["buyer"], reverse_charge=reverse_charge)))
        for line in data["lines"]:
            discount = Decimal(line.get("discount") or "0")
            builder = builder.add_service_line(
                line["description"], quantity=line["quantity"], unit_net_price=line["net_price"],
                unit=line.get("unit") or "usł.", tax=_tax(line.get("vat_rate", data.get("vat_rate")), reverse_charge),
                discount=Discount.amount(discount) if discount else None)
        if reverse_charge:
            builder = builder.reverse_charge()
        if data.get("paid_date"):
            builder = builder.paid(date.fromisoformat(data["paid_date"]))
        invoice = builder.build()
        xml = invoice.to_xml()
    except (FA3XmlValidationError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInvoice(str(exc) or exc.__class__.__name__) from exc
    # The header's creation time is the issue time (the library writes "now"), so the
    # XML made again from the same data is the same document, byte for byte.
    root = etree.fromstring(xml)
    ns = {"fa": root.nsmap[None]}
    root.find("fa:Naglowek/fa:DataWytworzeniaFa", ns).text = issued_at.astimezone(timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    root.find("fa:Naglowek/fa:SystemInfo", ns).text = SYSTEM_INFO
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    try:
        validate_fa3_xml_xsd(xml)
    except FA3XmlValidationError as exc:
        raise InvalidInvoice(str(exc)) from exc
    _check_totals(invoice, data)
    return xml


def _check_totals(invoice, data: dict) -> None:
    """The FA(3) sums, computed by the library from the lines, must be the printed ones."""
    totals = data.get("totals") or {}
    for label, ours, theirs in (("net", totals.get("net"), invoice.total_net),
                                ("VAT", totals.get("vat"), invoice.total_vat),
                                ("gross", totals.get("gross"), invoice.total_gross)):
        if Decimal(str(ours)) != Decimal(theirs):
            raise InvalidInvoice(f"The {label} total {ours} differs from the lines' {theirs}.")


def prepare(document: BillingDocument) -> None:
    """At issue: the invoice's FA(3) XML and its place in the KSeF queue."""
    try:
        document.ksef_xml = build_xml(document.data, document.issued_at).decode("utf-8")
    except InvalidInvoice as exc:
        document.ksef_status, document.ksef_error = "invalid", str(exc)
        log.error("invoice %s fails the FA(3) schema and is not sent to KSeF: %s", document.number, exc)
        return
    document.ksef_status = "pending"
    document.ksef_attempts = 0
    document.ksef_next_attempt_at = clock.now()


def xml_of(document: BillingDocument) -> bytes:
    """The FA(3) XML of a VAT invoice (made now, and kept, for one issued before KSeF)."""
    if document.kind != "invoice":
        raise InvalidInvoice("Only a VAT invoice has an FA(3) document; a pro-forma is not an invoice.")
    if document.ksef_xml is None:
        if document.ksef_status is None:
            # Issued before this version: its XML on request, but it is not queued for
            # KSeF afterwards (it was given to the buyer outside KSeF).
            return build_xml(document.data, document.issued_at)
        raise InvalidInvoice(document.ksef_error or "")
    return document.ksef_xml.encode("utf-8")


# Sending

def configured() -> bool:
    config = current_app.config
    return bool(config.get("KSEF_URL") and config.get("KSEF_TOKEN") and config.get("KSEF_NIP"))


def schedule(document_id: int) -> None:
    """After the invoice's commit: the queue sends it (inline without Redis). Anything in
    the way (no KSeF settings, Redis away) leaves it waiting for `flask ksef send`."""
    if not configured():
        return
    try:
        tasks.enqueue(send_job, document_id=document_id)
    except Exception:
        log.exception("KSeF sending of invoice %s not queued; it waits for `flask ksef send`", document_id)


def send_job(document_id: int) -> None:
    send(document_id)


def backoff(attempts: int) -> timedelta:
    return min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def due_ids(*, include_failed: bool = False, ignore_backoff: bool = False) -> list[int]:
    now = clock.now()
    waiting = BillingDocument.ksef_status == "pending"
    if not ignore_backoff:
        waiting = waiting & (BillingDocument.ksef_next_attempt_at <= now)
    conditions = [waiting, (BillingDocument.ksef_status == "sending") & (BillingDocument.ksef_claimed_at < now - STALE_CLAIM)]
    if include_failed:
        conditions.append(BillingDocument.ksef_status == "failed")
    return list(db.session.scalars(select(BillingDocument.id).where(or_(*conditions))
                                   .order_by(BillingDocument.id).execution_options(all_tenants=True)))


def _claim(document_id: int, *, include_failed: bool, ignore_backoff: bool) -> bool:
    now = clock.now()
    takeable = BillingDocument.ksef_status == "pending"
    if not ignore_backoff:
        takeable = takeable & (BillingDocument.ksef_next_attempt_at <= now)
    takeable = or_(takeable, (BillingDocument.ksef_status == "sending") & (BillingDocument.ksef_claimed_at < now - STALE_CLAIM))
    if include_failed:
        takeable = or_(takeable, BillingDocument.ksef_status == "failed")
    taken = db.session.execute(
        update(BillingDocument).where(BillingDocument.id == document_id, BillingDocument.kind == "invoice", takeable)
        .values(ksef_status="sending", ksef_claimed_at=now, ksef_attempts=BillingDocument.ksef_attempts + 1)
        .execution_options(synchronize_session=False, all_tenants=True)).rowcount
    db.session.commit()
    return taken == 1


class Rejected(Exception):
    """KSeF answered and refused (a wrong token, the invoice rejected): retrying as such
    cannot help; an admin sees why and `flask ksef send` tries again after the fix."""


def send(document_id: int, *, include_failed: bool = False, ignore_backoff: bool = False) -> str | None:
    """Sends one invoice if it is this sender's to send. Returns the new status, or None
    when another sender has it (or it is not waiting)."""
    if not configured() or not _claim(document_id, include_failed=include_failed, ignore_backoff=ignore_backoff):
        return None
    document = db.session.get(BillingDocument, document_id)
    try:
        number, url, reference = _send_online(document)
    except Rejected as exc:
        return _finish(document_id, status="failed", error=str(exc))
    except Exception as exc:  # unreachable, timed out, 5xx: the invoice waits and is tried again
        log.warning("KSeF sending of invoice %s failed: %s", document.number, exc)
        return _finish(document_id, status="pending", error=_describe(exc),
                       next_attempt_at=clock.now() + backoff(document.ksef_attempts))
    return _finish(document_id, status="sent", error=None, number=number, url=url, reference=reference)


def _finish(document_id: int, *, status: str, error: str | None, next_attempt_at=None, number=None, url=None,
            reference=None) -> str:
    values = {"ksef_status": status, "ksef_error": (error or None) and error[:2000]}
    if next_attempt_at is not None:
        values["ksef_next_attempt_at"] = next_attempt_at
    if status == "sent":
        values.update(ksef_number=number, ksef_url=url, ksef_reference=reference, ksef_sent_at=clock.now())
    db.session.execute(update(BillingDocument).where(BillingDocument.id == document_id).values(**values)
                       .execution_options(synchronize_session=False, all_tenants=True))
    db.session.commit()
    return status


def _describe(exc: Exception) -> str:
    return str(exc) or exc.__class__.__name__


def _options():
    from ksef_client import KsefClientOptions
    config = current_app.config
    return KsefClientOptions(base_url=config["KSEF_URL"], base_qr_url=config.get("KSEF_QR_URL") or None,
                             timeout_seconds=TIMEOUT_SECONDS)


def verification_url(document: BillingDocument, xml: bytes) -> str:
    """KOD I: the link (and QR code) by which the buyer checks the invoice in KSeF."""
    from ksef_client.services.crypto import sha256_base64
    from ksef_client.services.verification_link import VerificationLinkService
    return VerificationLinkService(_options()).build_invoice_verification_url(
        current_app.config["KSEF_NIP"], document.data["issue_date"], sha256_base64(xml))


def _send_online(document: BillingDocument) -> tuple[str, str, str]:
    from ksef_client import KsefClient
    from ksef_client import models as m
    from ksef_client.exceptions import KsefApiError, KsefHttpError
    from ksef_client.services import AuthCoordinator, OnlineSessionWorkflow
    xml = document.ksef_xml.encode("utf-8")
    config = current_app.config
    options = _options()
    url = verification_url(document, xml)  # before anything is sent: a bad setting fails here
    with KsefClient(options) as client:
        try:
            token_certificate = client.security.get_public_key_certificate_pem(
                m.PublicKeyCertificateUsage.KSEFTOKENENCRYPTION)
            auth = AuthCoordinator(client.auth).authenticate_with_ksef_token(
                token=config["KSEF_TOKEN"], public_certificate=token_certificate,
                context_identifier_type="nip", context_identifier_value=config["KSEF_NIP"],
                poll_interval_seconds=POLL_INTERVAL, max_attempts=STATUS_POLLS)
            access_token = auth.access_token
            session_certificate = client.security.get_public_key_certificate_pem(
                m.PublicKeyCertificateUsage.SYMMETRICKEYENCRYPTION)
            session = OnlineSessionWorkflow(client.sessions).open_session(
                form_code=m.FormCode(system_code="FA (3)", schema_version="1-0E", value="FA"),
                public_certificate=session_certificate, access_token=access_token)
            try:
                sent = session.send_invoice(xml, access_token=access_token)
                status = _wait_for_number(client, session.reference_number, sent.reference_number, access_token)
            finally:
                session.close(access_token=access_token)
        except KsefApiError as exc:
            if exc.status_code in (400, 401, 403, 404, 409, 410, 422):
                raise Rejected(_describe(exc)) from exc
            raise
        except KsefHttpError:
            raise
        except RuntimeError as exc:  # "Authentication failed: 4xx …" from the coordinator
            raise Rejected(_describe(exc)) from exc
    return status.ksef_number, url, f"{session.reference_number}/{sent.reference_number}"


def _wait_for_number(client, session_reference: str, invoice_reference: str, access_token: str):
    for _ in range(STATUS_POLLS):
        status = client.sessions.get_session_invoice_status(session_reference, invoice_reference,
                                                            access_token=access_token)
        code = status.status.code
        if code == 200 and status.ksef_number:
            return status
        if code >= 400:
            details = "; ".join(status.status.details or [])
            raise Rejected(f"KSeF {code}: {status.status.description}" + (f" ({details})" if details else ""))
        time.sleep(POLL_INTERVAL)
    raise TimeoutError("KSeF has not processed the invoice yet; it is asked again on the next run.")


def send_waiting(*, include_failed: bool = True) -> dict:
    """`flask ksef send`: every invoice that waits (and, by default, the refused ones)."""
    counts: dict[str, int] = {}
    if not configured():
        return {"not_configured": len(due_ids(include_failed=include_failed, ignore_backoff=True))}
    for document_id in due_ids(include_failed=include_failed, ignore_backoff=True):
        status = send(document_id, include_failed=include_failed, ignore_backoff=True)
        counts[status or "skipped"] = counts.get(status or "skipped", 0) + 1
    return counts


def queue() -> list[BillingDocument]:
    """What admins see: every VAT invoice not (yet) in KSeF, oldest first."""
    return list(db.session.scalars(
        select(BillingDocument).where(BillingDocument.kind == "invoice",
                                      BillingDocument.ksef_status.in_(("pending", "sending", "failed", "invalid")))
        .order_by(BillingDocument.issued_at, BillingDocument.id).execution_options(all_tenants=True)))


def print_data(document: BillingDocument) -> dict:
    """What the PDF prints about KSeF: the number and the verification link, once sent."""
    if document.kind == "invoice" and document.ksef_status == "sent" and document.ksef_number:
        return {"number": document.ksef_number, "url": document.ksef_url}
    return {}
