"""PDF renderers: plain data in, PDF bytes out. No Flask, no database."""
from .cmr import render_calibration_page, render_cmr
from .fingerprinting import fingerprint
from .invoice import render_billing_document
from .locales import LANGUAGES, labels

__all__ = [
    "render_billing_document","render_cmr", "render_calibration_page", "fingerprint", "LANGUAGES", "labels"]
