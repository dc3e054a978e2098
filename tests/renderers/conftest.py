import sys
from pathlib import Path

import pytest

# renderers/ is a plain package at the repo root; make it importable however pytest is run.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from renderers.sample import large_document, sample_document  # noqa: E402


@pytest.fixture
def doc():
    return sample_document()


@pytest.fixture
def big_doc():
    return large_document()
