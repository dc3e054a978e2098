import pytest

from plans import load_catalogue


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()
