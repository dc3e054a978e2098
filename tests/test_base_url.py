"""Links that are right: the development server derives BASE_URL from where it listens,
and the app says so when requests arrive under another host."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _base_url_of_run_py(tmp_path, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CMR_") and k not in ("HOST", "PORT")}
    environment.update(CMR_DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}", CMR_SECRET_KEY="x", **env)
    out = subprocess.run([sys.executable, "-c", "import run; print(run.app.config['BASE_URL'])"],
                         cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_run_py_points_links_at_its_own_port(tmp_path):
    assert _base_url_of_run_py(tmp_path) == "http://127.0.0.1:5000"
    assert _base_url_of_run_py(tmp_path, PORT="5101") == "http://127.0.0.1:5101"
    assert _base_url_of_run_py(tmp_path, HOST="0.0.0.0", PORT="8080") == "http://127.0.0.1:8080"
    assert _base_url_of_run_py(tmp_path, PORT="5101", CMR_BASE_URL="https://cmr.example.com/") == \
        "https://cmr.example.com"


def test_a_request_under_another_host_logs_one_warning(app, client, caplog):
    with caplog.at_level("WARNING", logger=app.logger.name):
        client.get("/login", base_url="http://cmr.test")
        assert not [r for r in caplog.records if "BASE_URL" in r.getMessage()]
        client.get("/login", base_url="http://127.0.0.1:5101")
        client.get("/login", base_url="http://127.0.0.1:5102")
    warnings = [r.getMessage() for r in caplog.records if "BASE_URL" in r.getMessage()]
    assert len(warnings) == 1
    assert "127.0.0.1:5101" in warnings[0] and "http://cmr.test" in warnings[0]
