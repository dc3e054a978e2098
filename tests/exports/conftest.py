import pytest


@pytest.fixture
def app_config(app_config, tmp_path):
    # Each test's ZIPs in its own folder, never in the instance folder.
    return {**app_config, "EXPORT_DIR": str(tmp_path / "exports")}
