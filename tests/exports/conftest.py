import pytest
import time_machine


@pytest.fixture
def app_config(app_config, tmp_path):
    # Each test's ZIPs in its own folder, never in the instance folder.
    return {**app_config, "EXPORT_DIR": str(tmp_path / "exports")}


@pytest.fixture(autouse=True)
def _within_the_paid_year():
    """The office's order (test_exports.NOW) pays for a year: each test acts within it,
    whatever today's date (CI also runs the suite at New Year's Eve 2027, when the plan
    has lapsed and an editor is over the Free plan's one user). Tests that need another
    moment travel there themselves."""
    with time_machine.travel("2026-11-22T07:00:00+00:00", tick=True):
        yield
