import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are checked in English; pages still follow each request's own language."""
    with translation.override("en"):
        yield
