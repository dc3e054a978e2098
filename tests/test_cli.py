"""The operator commands of API.md ("CLI")."""
from __future__ import annotations

import json


def test_accounts_create_prints_ids_and_the_token_works(runner, client):
    result = runner.invoke(args=["accounts", "create", "--email", "Ops@Example.com", "--password",
                                 "secret-pass-1", "--company", "Ops Sp. z o.o.", "--plan", "standard"])
    assert result.exit_code == 0, result.output
    ids = json.loads(result.output)
    assert set(ids) == {"account_id", "user_id"} and all(isinstance(v, int) for v in ids.values())
    token = runner.invoke(args=["tokens", "create", "--email", "ops@example.com", "--name", "ERP"]).output.strip()
    account = client.get("/api/v1/account", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert account["company"]["id"] == ids["account_id"] and account["plan"]["code"] == "standard"
    assert account["user"]["email_verified"] is False
    assert runner.invoke(args=["accounts", "verify-email", "--email", "ops@example.com"]).exit_code == 0
    account = client.get("/api/v1/account", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert account["user"]["email_verified"] is True


def test_accounts_create_refuses_bad_input_clearly(runner):
    args = ["accounts", "create", "--email", "a@example.com", "--password", "secret-pass-1", "--company", "A"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already exists" in again.output
    bad_plan = runner.invoke(args=["accounts", "create", "--email", "b@example.com", "--password",
                                   "secret-pass-1", "--company", "B", "--plan", "gold"])
    assert bad_plan.exit_code != 0 and "no such plan" in bad_plan.output
    assert runner.invoke(args=["tokens", "create", "--email", "nobody@example.com"]).exit_code != 0


def test_admin_flag_makes_a_platform_admin(app, runner):
    runner.invoke(args=["accounts", "create", "--email", "root@example.com", "--password", "secret-pass-1",
                        "--company", "Operator", "--admin"])
    with app.app_context():
        from sqlalchemy import select
        from cmr_app.extensions import db
        from cmr_app.models import User
        assert db.session.scalar(select(User.is_admin).where(User.email == "root@example.com")) is True


def test_plans_sync_is_idempotent(runner):
    assert runner.invoke(args=["plans", "sync"]).output.strip() == "plans: 0 created, 0 updated"


def test_promo_create_validates(runner):
    assert runner.invoke(args=["promo", "create", "--code", "X1", "--percent", "150"]).exit_code != 0
    assert runner.invoke(args=["promo", "create", "--code", "X1"]).exit_code != 0
    assert runner.invoke(args=["promo", "create", "--code", "X1", "--amount", "50", "--valid-to", "soon"]).exit_code != 0
    ok = runner.invoke(args=["promo", "create", "--code", "x1", "--amount", "50", "--max-uses", "5",
                             "--valid-from", "2026-12-01", "--valid-to", "2026-12-31"])
    assert json.loads(ok.output) == {"code": "X1", "kind": "amount", "value": "50.00"}


# One address rule for the CLI, registration, login and invitations (issue 10).
ADDRESSES = ["@a.test", "x@a.test", "anna@", "anna", "anna@example", "an na@example.com",
             "anna@@example.com", "anna@exam_ple.com", "anna.@example.com", ".anna@example.com",
             "a" * 65 + "@example.com", "anna@example.com", "Anna.Nowak+cmr@Example.COM",
             "jürgen@müller.de", "anna@sub.example.pl"]


def test_accounts_create_accepts_exactly_the_addresses_the_forms_accept(runner, client):
    for i, address in enumerate(ADDRESSES):
        result = runner.invoke(args=["accounts", "create", "--email", address, "--password",
                                     "secret-pass-1", "--company", f"Firma {i}"])
        login = client.post("/login", data={"email": address, "password": "secret-pass-1"},
                            environ_base={"REMOTE_ADDR": f"192.0.2.{i}"})
        signed_in = login.status_code == 302
        form_refuses = "Enter a valid e-mail address." in login.get_data(as_text=True)
        if result.exit_code == 0:
            assert signed_in, address           # created by the CLI → the login form takes it
            client.post("/logout")
        else:
            assert "Enter a valid e-mail address." in result.output, (address, result.output)
            assert form_refuses, address        # refused by the CLI → refused by the form too
        register = client.post("/register", data={"email": address, "password": "secret-pass-1",
                                                   "company": "X", "accept_terms": "y"},
                               environ_base={"REMOTE_ADDR": f"198.51.100.{i}"})
        assert (register.status_code == 302) == (result.exit_code == 0), address
    created = [a for a in ADDRESSES if runner.invoke(args=["accounts", "verify-email", "--email", a]).exit_code == 0]
    assert "@a.test" not in created and "anna@example.com" in created
