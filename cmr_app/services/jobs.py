"""`flask jobs daily`: the trial's reminder and end, and (with billing) renewals and
lapses. Idempotent: every message is claimed once (notices.claim), in the transaction
that records its e-mails in the outbox, so running the job twice, or twice at once,
sends nothing twice and a crash loses nothing."""
from __future__ import annotations

from datetime import timedelta

import plans
from flask import current_app, url_for
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Company, Subscription
from . import accounts, entitlements, notices


def _link(endpoint: str) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint)


def trial_notices(now=None) -> dict:
    """Reminder 3 days before the trial ends, and a message when it has ended (§2.4)."""
    now = now or clock.now()
    sent = {"trial_reminder": 0, "trial_ended": 0}
    # Only companies registered in the last 31 days can be in or just past their trial;
    # the claim makes a late run (a missed day) still send, once.
    since = now - timedelta(days=40)
    companies = db.session.scalars(select(Company).where(Company.registered_at >= since).order_by(Company.id))
    for company in companies:
        ends_at = entitlements.trial_ends_at(company)
        if plans.trial_reminder_due(company.registered_at, now, company.timezone):
            if notices.claim(company.id, "trial_reminder", ends_at.date().isoformat(), commit=False):
                for owner in accounts.company_owners(company.id):
                    accounts.record_user_mail(owner, "trial_reminder", "Your trial ends in 3 days",
                                              company=company,
                                              last_day=entitlements.trial_last_day(company),
                                              plan=entitlements.chosen_plan(company),
                                              link=_link("web.settings"))
                sent["trial_reminder"] += 1
            db.session.commit()
        elif now >= ends_at and not entitlements.paid_plan_code(company):
            if notices.claim(company.id, "trial_ended", ends_at.date().isoformat(), commit=False):
                for owner in accounts.company_owners(company.id):
                    accounts.record_user_mail(owner, "trial_ended", "Your trial has ended",
                                              company=company, plan=entitlements.chosen_plan(company),
                                              free=entitlements.catalogue().free,
                                              link=_link("web.settings"))
                sent["trial_ended"] += 1
            db.session.commit()
    return sent


def renewals_and_lapses(now=None) -> dict:
    """14 days before a paid period ends: one renewal pro-forma. At the end: a card
    subscription still set to renew is charged (tried again by the next runs, for a few
    days, while the payment provider cannot be reached); otherwise the account lapses to
    Free (paid features suspended, data kept) and is told once."""
    from . import billing, payments
    now = now or clock.now()
    done = {"renewal_proformas": 0, "card_renewals": 0, "card_renewals_deferred": 0, "lapsed": 0}
    subs = db.session.scalars(select(Subscription).where(Subscription.status == "active")
                              .order_by(Subscription.id)).all()
    for sub in subs:
        if plans.renewal_due(sub.period_end, now):
            if billing.create_renewal(sub):
                done["renewal_proformas"] += 1
        elif now >= sub.period_end:
            renewal = billing.renewal_order(sub) or billing.create_renewal(sub)
            if sub.auto_renew and sub.payment_method == "card" and renewal and renewal.status == "pending":
                try:
                    if payments.charge_saved_card(renewal):
                        done["card_renewals"] += 1
                        continue
                except payments.ChargeDeferred:  # the provider is away: tried again tomorrow
                    if now < sub.period_end + timedelta(days=payments.CHARGE_RETRY_DAYS):
                        done["card_renewals_deferred"] += 1
                        continue
            db.session.refresh(sub)
            if sub.period_end <= now and sub.status == "active":
                sub.status = "lapsed"
                db.session.commit()
                if notices.claim(sub.company_id, "lapsed", sub.period_end.isoformat(), commit=False):
                    company = db.session.get(Company, sub.company_id)
                    for owner in accounts.company_owners(company.id):
                        accounts.record_user_mail(owner, "lapsed", "Your paid plan has ended",
                                                  company=company, free=entitlements.catalogue().free,
                                                  link=_link("web.settings"))
                    done["lapsed"] += 1
                db.session.commit()
    return done


def run_daily(now=None) -> dict:
    return {**trial_notices(now), **renewals_and_lapses(now)}
