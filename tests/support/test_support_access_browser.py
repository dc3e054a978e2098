"""The owner grants and withdraws support access in Settings while an admin looks, each in
their own browser (Debian's Chromium through Playwright)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium")]
sync_api = pytest.importorskip("playwright.sync_api")


def _log_in(page, base, user):
    page.goto(base + "/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", user.password)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/documents")


def test_owner_grants_and_withdraws_support_access_while_an_admin_looks(owner, owner_data, admin, live_server,
                                                                         chromium, tmp_path):
    shots = Path(os.environ.get("CMR_SCREENSHOTS") or tmp_path)
    errors: list[str] = []
    owner_page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin_page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    for page in (owner_page, admin_page):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(owner_page, live_server, owner)
    _log_in(admin_page, live_server, admin)
    support_url = f"{live_server}/admin/accounts/{owner.company_id}/support"

    # No consent yet: the admin is refused.
    response = admin_page.goto(support_url)
    assert response.status == 403
    assert admin_page.locator("#support-refused").is_visible()

    # The owner allows 10 days in Settings.
    owner_page.goto(live_server + "/settings#support")
    owner_page.fill("#support input[name=days]", "10")
    owner_page.click("#support button:has-text('Allow support access')")
    owner_page.wait_for_url("**/settings#support")
    assert owner_page.locator("[data-support-state=on]").is_visible()

    # The admin now sees the documents and the address book, read-only.
    response = admin_page.goto(support_url)
    assert response.status == 200
    assert admin_page.locator(f"text={owner_data['number']}").first.is_visible()
    admin_page.click(f"a:has-text('{owner_data['number']}')")
    assert admin_page.locator("text=Möbelhaus Schäfer GmbH").first.is_visible()
    admin_page.screenshot(path=str(shots / "admin-support-document.png"), full_page=True)
    admin_page.goto(support_url + "?kind=clients")
    assert admin_page.locator("text=Bakkerij de Vries").is_visible()
    admin_page.screenshot(path=str(shots / "admin-support-page.png"), full_page=True)

    # The owner sees every look in the log, then withdraws.
    owner_page.reload()
    log = owner_page.locator("#support table.support-log")
    assert log.locator(f"text={admin.email}").count() >= 3
    owner_page.locator("#support").screenshot(path=str(shots / "settings-support-on.png"))
    owner_page.click("#support button:has-text('Withdraw now')")
    owner_page.wait_for_url("**/settings#support")
    assert owner_page.locator("[data-support-state=off]").is_visible()
    owner_page.locator("#support").screenshot(path=str(shots / "settings-support-off.png"))

    # The admin's next look is refused.
    response = admin_page.goto(support_url + "?kind=clients")
    assert response.status == 403
    assert admin_page.locator("text=Bakkerij de Vries").count() == 0
    admin_page.screenshot(path=str(shots / "admin-support-refused.png"), full_page=True)
    assert errors == []


def test_a_blocked_owner_sees_why_in_the_browser(owner, runner, live_server, chromium, tmp_path):
    shots = Path(os.environ.get("CMR_SCREENSHOTS") or tmp_path)
    page = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    _log_in(page, live_server, owner)
    reason = "Illegal content reported on 2026-11-30 (case 17/2026)."
    assert runner.invoke(args=["accounts", "block", "--email", owner.email, "--reason", reason]).exit_code == 0
    response = page.goto(live_server + "/settings")
    assert response.status == 403
    assert page.locator("#account-blocked .blocked-reason").inner_text() == reason
    page.screenshot(path=str(shots / "blocked-page.png"), full_page=True)
