"""Operator commands (API.md "CLI"); each calls the same services as the web."""
from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .errors import ServiceError
from .extensions import db
from .models import User

accounts_cli = AppGroup("accounts", help="Accounts and companies.")
tokens_cli = AppGroup("tokens", help="API tokens.")
plans_cli = AppGroup("plans", help="The plan catalogue.")
jobs_cli = AppGroup("jobs", help="Scheduled jobs.")
billing_cli = AppGroup("billing", help="Payments.")
promo_cli = AppGroup("promo", help="Promo codes.")
mail_cli = AppGroup("mail", help="The e-mail outbox.")
exports_cli = AppGroup("exports", help="The owners' data exports.")
ksef_cli = AppGroup("ksef", help="KSeF e-invoices.")


def _fail(exc: ServiceError):
    detail = "; ".join(f"{k}: {' '.join(v) if isinstance(v, list) else v}" for k, v in exc.details.items())
    raise click.ClickException(f"{exc.message} {detail}".strip())


def _user(email: str) -> User:
    from .services.accounts import normalize_email
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    return user


@accounts_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--company", required=True)
@click.option("--plan", "plan_code", default=None)
@click.option("--admin", is_flag=True, help="Make the user a platform admin.")
def accounts_create(email, password, company, plan_code, admin):
    """Registers an account (starts its trial) and prints its ids as JSON."""
    from .services import accounts
    try:
        user = accounts.register(email, password, company, plan_code=plan_code, admin=admin,
                                 send_activation=False)
    except ServiceError as exc:
        _fail(exc)
    click.echo(json.dumps({"account_id": user.company_id, "user_id": user.id}))


@accounts_cli.command("demo")
@click.option("--email", default="demo@example.com", show_default=True)
@click.option("--password", default="demo-cmr-2026", show_default=True)
def accounts_demo(email, password):
    """Creates the demo account once (Pro plan, verified) and prints how to log in."""
    from .services import accounts
    from .models import User
    from sqlalchemy import select
    from .services import demo
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = accounts.register(email, password, "Demo Spedycja Sp. z o.o.", plan_code="pro",
                                 send_activation=False)
        accounts.mark_verified(user)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        made = demo.seed(user)  # once: a company with clients or documents gets nothing more
    if made:
        click.echo(f"Sample data: {made} CMR documents, {len(demo.CLIENTS)} clients, a carrier, "
                   f"{len(demo.PRODUCTS)} products.")
    click.echo(f"Demo account: {email} / password: {password}")


@accounts_cli.command("verify-email")
@click.option("--email", required=True)
def accounts_verify_email(email):
    """Marks the address verified."""
    from .services import accounts
    accounts.mark_verified(_user(email))
    click.echo(f"verified {email}")


# Blocking (terms §10.7)

@accounts_cli.command("block")
@click.option("--email", required=True, help="A user of the company (usually its owner).")
@click.option("--reason", required=True, help="Why; the owner is e-mailed it.")
def accounts_block(email, reason):
    """Blocks the company of that user: its users, tokens and public pages are refused."""
    from .services import blocking
    try:
        company = blocking.company_of_user(email)
        changed = blocking.block(company, reason)
    except ServiceError as exc:
        _fail(exc)
    click.echo(json.dumps({"account_id": company.id, "blocked": True, "changed": changed}))


@accounts_cli.command("unblock")
@click.option("--email", required=True, help="A user of the company.")
def accounts_unblock(email):
    """Lifts the block of that user's company; the owner is e-mailed."""
    from .services import blocking
    try:
        company = blocking.company_of_user(email)
        changed = blocking.unblock(company)
    except ServiceError as exc:
        _fail(exc)
    click.echo(json.dumps({"account_id": company.id, "blocked": False, "changed": changed}))


@tokens_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="CLI")
def tokens_create(email, name):
    """Prints a new API token for that user (shown once)."""
    from .services import tokens
    _, secret = tokens.create_token(_user(email), name)
    click.echo(secret)


@plans_cli.command("sync")
def plans_sync():
    """Loads the default catalogue from plans/; idempotent, keeps admins' edits."""
    from .services import catalogue
    created, updated = catalogue.sync_default_catalogue()
    click.echo(f"plans: {created} created, {updated} updated")


@jobs_cli.command("daily")
def jobs_daily():
    """Runs the daily jobs as of now; idempotent (run it twice: nothing is sent twice)."""
    from .services import jobs
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        done = jobs.run_daily()
        from .services import exports
        done["exports"] = exports.run_pending()  # builds left waiting; ZIPs past their 7 days deleted
    from . import sender
    done["mail"] = sender.retry_due()  # what the jobs recorded, and what waited
    from .services import ksef
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        if ksef.configured():
            done["ksef"] = ksef.send_waiting(include_failed=False)
    click.echo(json.dumps(done))


@mail_cli.command("retry")
@click.option("--now", "ignore_backoff", is_flag=True, help="Also rows still waiting for their back-off.")
@click.option("--failed", "include_failed", is_flag=True, help="Also rows marked failed after too many attempts.")
def mail_retry(ignore_backoff, include_failed):
    """Sends every outbox e-mail not yet sent whose time has come; safe to run in parallel."""
    from . import sender
    done = sender.retry_due(include_failed=include_failed, ignore_backoff=ignore_backoff)
    from .services import outbox
    counts = outbox.counts()
    click.echo(json.dumps({**done, "waiting": counts.get("pending", 0) + counts.get("sending", 0),
                           "failed_total": counts.get("failed", 0)}))


@ksef_cli.command("send")
@click.option("--pending-only", is_flag=True, help="Leave the invoices KSeF refused; send only the waiting ones.")
def ksef_send(pending_only):
    """Sends every VAT invoice waiting for KSeF (and, unless --pending-only, the refused
    ones again); an invoice that fails the FA(3) schema is never sent. Safe in parallel."""
    from .services import ksef
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        if not ksef.configured():
            click.echo("KSEF_URL, KSEF_TOKEN and KSEF_NIP are not all set: nothing can be sent.", err=True)
            raise SystemExit(1)
        done = ksef.send_waiting(include_failed=not pending_only)
        waiting = {}
        for document in ksef.queue():
            waiting[document.ksef_status] = waiting.get(document.ksef_status, 0) + 1
    click.echo(json.dumps({**done, "waiting": waiting.get("pending", 0) + waiting.get("sending", 0),
                           "failed_total": waiting.get("failed", 0), "invalid_total": waiting.get("invalid", 0)}))


@billing_cli.command("book-payment")
@click.argument("number")
@click.option("--amount", default=None, help="The amount received; default: the pro-forma's gross.")
def billing_book_payment(number, amount):
    """Books the payment of pro-forma NUMBER: activates the plan, issues the VAT invoice."""
    from .services import billing
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        try:
            order = billing.find_order_by_proforma(number)
            invoice, new = billing.book_payment(order, amount if amount is not None else order.gross,
                                                provider="admin", external_id=f"cli:{number}")
        except ServiceError as exc:
            _fail(exc)
    click.echo(json.dumps({"invoice": invoice.number, "booked": new}))


def _date(value):
    from datetime import date
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)")


@promo_cli.command("create")
@click.option("--code", required=True)
@click.option("--percent", default=None)
@click.option("--amount", default=None)
@click.option("--valid-from", default=None)
@click.option("--valid-to", default=None)
@click.option("--max-uses", type=int, default=None)
def promo_create(code, percent, amount, valid_from, valid_to, max_uses):
    """Creates a promo code: a percent or a fixed net amount off."""
    from .services import billing
    if (percent is None) == (amount is None):
        raise click.UsageError("give exactly one of --percent and --amount")
    try:
        row = billing.create_promo(code, "percent" if percent is not None else "amount",
                                   percent if percent is not None else amount,
                                   _date(valid_from), _date(valid_to), max_uses)
    except ServiceError as exc:
        _fail(exc)
    click.echo(json.dumps({"code": row.code, "kind": row.kind, "value": f"{row.value:.2f}"}))


# The owners' data exports (terms §11.6)

@exports_cli.command("run")
def exports_run():
    """Builds every export still waiting (no Redis worker took it, or its build died) and
    deletes the ZIPs whose 7 days are over; run by cron, also part of `jobs daily`."""
    from .services import exports
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        done = exports.run_pending()
    click.echo(json.dumps(done))


def register(app: Flask) -> None:
    for group in (accounts_cli, tokens_cli, plans_cli, jobs_cli, billing_cli, promo_cli, mail_cli, exports_cli,
                  ksef_cli):
        app.cli.add_command(group)
