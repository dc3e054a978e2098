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
