"""Configuration: defaults, overridden by CMR_* environment variables, overridden by
the mapping given to create_app (API.md)."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

KEYS = ("DATABASE_URL", "REDIS_URL", "MAIL_URL", "SECRET_KEY", "BASE_URL", "DEFAULT_TIMEZONE",
        "PAYMENT_PROVIDER", "TRUSTED_PROXIES", "PROXY_FIX", "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY",
        "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "KSEF_URL", "KSEF_TOKEN", "KSEF_NIP", "KSEF_QR_URL")
# Online payment providers this version has an adapter for (services/payments.py).
# Unset: bank transfer only, booked by an admin.
PAYMENT_PROVIDERS = ("fake", "stripe")
# What PAYMENT_PROVIDER=stripe cannot work without (services/stripe_provider.py).
STRIPE_REQUIRED = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")
# What ProxyFix may trust: how many proxies set each X-Forwarded-* header.
PROXY_FIX_HEADERS = ("x_for", "x_proto", "x_host", "x_port", "x_prefix")


def load(instance_path: str, overrides: Mapping | None) -> dict:
    config: dict = {
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'cmr.sqlite'}",
        "REDIS_URL": None,
        "MAIL_URL": "console://",
        "SECRET_KEY": None,
        "BASE_URL": "http://127.0.0.1:5000",
        "DEFAULT_TIMEZONE": "Europe/Warsaw",
        "PAYMENT_PROVIDER": None,
        "STRIPE_SECRET_KEY": None,
        "STRIPE_PUBLISHABLE_KEY": None,
        "STRIPE_WEBHOOK_SECRET": None,
        "STRIPE_API_BASE": None,  # a local stand-in (tests: localstripe); unset: api.stripe.com
        "TRUSTED_PROXIES": 0,  # how many reverse proxies stand before the app
        "PROXY_FIX": None,
        # KSeF (services/ksef.py): all three set → VAT invoices are sent; unset → they wait.
        "KSEF_URL": None, "KSEF_TOKEN": None, "KSEF_NIP": None,
        "KSEF_QR_URL": None,  # only for a KSEF_URL other than the ministry's TEST/DEMO/PROD
        "MAIL_FROM": "CMR Online <no-reply@cmr.local>",
        "TESTING": False,
    }
    for key in KEYS + ("MAIL_FROM",):
        value = os.environ.get("CMR_" + key)
        if value is not None:
            config[key] = value or None
    config.update(overrides or {})
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret(instance_path)
    config["BASE_URL"] = (config["BASE_URL"] or "").rstrip("/")
    provider = (config["PAYMENT_PROVIDER"] or "").strip().lower() or None
    if provider is not None and provider not in PAYMENT_PROVIDERS:
        # Refusing to start beats a deployment that silently offers no way to pay.
        raise ValueError(f"PAYMENT_PROVIDER={provider!r} is not available in this version "
                         f"(known: {', '.join(PAYMENT_PROVIDERS)}); leave it unset for bank transfer only")
    config["PAYMENT_PROVIDER"] = provider
    if provider == "stripe":
        missing = [key for key in STRIPE_REQUIRED if not config.get(key)]
        if missing:
            raise ValueError(f"PAYMENT_PROVIDER=stripe needs {', '.join(missing)} (the keys from the Stripe "
                             "dashboard and the webhook endpoint's signing secret)")
        config["STRIPE_API_BASE"] = (config.get("STRIPE_API_BASE") or "").rstrip("/") or None
    try:
        config["TRUSTED_PROXIES"] = max(0, int(config["TRUSTED_PROXIES"] or 0))
    except (TypeError, ValueError):
        raise ValueError("CMR_TRUSTED_PROXIES must be a whole number (how many proxies)")
    config["PROXY_FIX"] = proxy_fix_options(config["PROXY_FIX"])
    if not config["PROXY_FIX"] and config["TRUSTED_PROXIES"]:  # the shorthand: N proxies for all three
        hops = config["TRUSTED_PROXIES"]
        config["PROXY_FIX"] = {"x_for": hops, "x_proto": hops, "x_host": hops}
    return config


def proxy_fix_options(value) -> dict | None:
    """PROXY_FIX as ProxyFix's keyword arguments. "1" (any count) trusts that many
    proxies for the client's address, scheme and host; "x_for=1,x_proto=1" names each
    header. Unset: no X-Forwarded-* header is believed (a client could forge them)."""
    if value is None or value == "" or isinstance(value, dict):
        return value or None
    text = str(value).strip()
    try:
        if text.isdigit():
            count = int(text)
            return {"x_for": count, "x_proto": count, "x_host": count} if count else None
        options = {}
        for part in text.split(","):
            key, _, number = part.strip().partition("=")
            key = key.strip().lower()
            if key not in PROXY_FIX_HEADERS or not number.strip().isdigit():
                raise ValueError(part)
            options[key] = int(number)
        return options
    except ValueError:
        raise ValueError(
            f"CMR_PROXY_FIX={text!r}: give the number of proxies in front of the app (e.g. 1), or "
            f"header=count pairs from {', '.join(PROXY_FIX_HEADERS)} (e.g. x_for=1,x_proto=1,x_host=1).")


def _instance_secret(instance_path: str) -> str:
    """A development secret kept in the instance folder so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()
