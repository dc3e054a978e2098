"""Settings in Debian's Chromium: after a refused action the page lands on its section and
the message is in view, at a laptop's and a phone's size (issue 13 item 3). Screenshots
of the viewport go to test-artifacts/ for a person to look at."""
from __future__ import annotations

import os

import pytest

from webhelpers import browser_sign_in

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")


def in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(selector, """el => { const r = el.getBoundingClientRect();
        const top = document.querySelector('.topbar').getBoundingClientRect().bottom;
        return r.height > 0 && r.top >= top && r.bottom <= window.innerHeight; }""")


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_a_refused_downgrade_is_told_in_view(live_server, chromium, make_account, width, height):
    owner = make_account(plan="free", company="Spedycja Test")
    page = chromium.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        browser_sign_in(page, live_server, owner.email, owner.password)
        page.goto(live_server + "/settings")
        page.locator("table.features tr", has_text="Document templates").get_by_role("button", name="Switch on").click()
        page.wait_for_url("**/settings#plan")
        page.get_by_role("button", name="Switch to Free").click()
        page.wait_for_url("**/settings#plan")
        page.wait_for_load_state()
        message = "#plan .flash.error"
        # Templates during the trial moved the account up to Standard, which switched on
        # the features it includes (issue 13 item 4): all three stand in the way of Free.
        assert page.inner_text(message).strip() == "Switch off first: Company logo on the CMR, E-mailing documents, Document templates."
        assert page.evaluate("window.scrollY") > 300  # the page moved to the section
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"settings-refused-downgrade-{width}x{height}.png"))
        assert in_viewport(page, message)
        # A reload is a GET of the page: nothing is posted again and the message is gone.
        page.reload()
        assert page.locator("#plan .flash").count() == 0
        assert errors == []
    finally:
        page.close()
