"""Issue 13 item 9, the first visit: a visitor at / sees the product and the prices, the
terms of service are reachable from the register page and the footer (and an operator's
own text replaces the shipped template), and the demo account comes with sample data,
made once."""
from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from cmr_app.extensions import db

PASSWORD = "correct horse 1"  # as make_account sets it


def _text(page: bytes) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.decode())))


def test_a_visitor_at_the_root_sees_the_product_and_the_prices(client):
    response = client.get("/")
    assert response.status_code == 200
    text = _text(response.data)
    assert "CMR consignment notes online" in text
    assert "Please log in" not in text
    # Every plan of the catalogue with its yearly price, as on /pricing.
    assert all(name in text for name in ("Free", "Standard", "Pro"))
    pricing = _text(client.get("/pricing").data)
    prices = re.findall(r"PLN\s[\d,]+\.\d\d", pricing)
    assert prices and all(p in text for p in prices)
    assert 'href="/register?plan=pro"' in response.data.decode()


def test_a_signed_in_user_at_the_root_still_goes_to_the_documents(client, owner):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/documents")


def test_terms_are_linked_from_register_and_the_footer_and_marked_as_a_template(client, owner):
    client.post("/logout")
    register = client.get("/register").data.decode()
    assert 'href="/terms"' in register.split("<footer", 1)[0]  # beside the checkbox, not only the footer
    for path in ("/", "/login", "/pricing"):
        assert 'href="/terms"' in client.get(path).data.decode().split("<footer", 1)[1]
    text = _text(client.get("/terms").data)
    assert "Terms of service (TEMPLATE)" in text and "must replace it" in text
    client.post("/language/pl", data={"next": "/terms"})
    assert "Regulamin (WZÓR)" in _text(client.get("/terms").data)


def test_the_operators_terms_replace_the_template_and_are_escaped(app, client, tmp_path):
    (tmp_path / "en.md").write_text("# Our terms\n\nFirst paragraph\ncontinues <script>alert(1)</script>\n\n"
                                    "## Payment\n- monthly\n- yearly\n", encoding="utf-8")
    app.config["TERMS_DIR"] = str(tmp_path)
    body = client.get("/terms").data.decode()
    assert "TEMPLATE" not in body and "<h1>Our terms</h1>" in body and "<h2>Payment</h2>" in body
    assert "<p>First paragraph continues &lt;script&gt;alert(1)&lt;/script&gt;</p>" in body
    assert "<ul><li>monthly</li><li>yearly</li></ul>" in body
    # No Polish file from the operator: the operator's English one, never the template.
    client.post("/language/pl", data={"next": "/terms"})
    assert "Our terms" in client.get("/terms").data.decode()


def test_the_demo_command_makes_the_sample_data_once(app, runner, client, usage):
    first = runner.invoke(args=["accounts", "demo"])
    assert first.exit_code == 0, first.output
    assert "4 CMR documents" in first.output
    again = runner.invoke(args=["accounts", "demo"])
    assert again.exit_code == 0 and "Sample data" not in again.output
    with app.app_context():
        from cmr_app.models import Carrier, Client, Document, Product, User
        user = db.session.scalar(select(User).where(User.email == "demo@example.com"))
        company_id = user.company_id
        counts = [db.session.scalar(select(func.count(m.id)).where(m.company_id == company_id))
                  for m in (Document, Client, Carrier, Product)]
        numbers = db.session.scalars(select(Document.number).where(Document.company_id == company_id)
                                     .order_by(Document.id)).all()
    assert counts == [4, 4, 1, 3]
    assert len(set(numbers)) == 4 and [int(n.split("/")[-1]) for n in numbers] == [1, 2, 3, 4]
    assert usage(user) == 4  # the quota counted them
    client.post("/login", data={"email": "demo@example.com", "password": "demo-cmr-2026"})
    listing = _text(client.get("/documents").data)
    assert all(n in listing for n in numbers) and "Möbelhaus Schäfer GmbH" in listing
