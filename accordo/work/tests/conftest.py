import importlib

import pytest
from django.apps import apps
from django.utils import translation

from accordo.testing.factories import AssignmentFactory, StaffFactory

DEFAULT_RULES = importlib.import_module("accordo.work.migrations.0002_default_rules")


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are checked in English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _default_rules(db):
    """The seeded rules, also after a live-server test emptied the tables (a no-op when they exist)."""
    DEFAULT_RULES.forwards(apps, None)


@pytest.fixture
def assistant(organisation):
    user = StaffFactory(email="assistant@firm.test", staff_role="assistant", full_name="Ada Assistent")
    AssignmentFactory(organisation=organisation, user=user, role="assistant")
    return user


@pytest.fixture
def responsible(organisation, accountant):
    """The named ``accountant``, assigned to ``organisation`` as its responsible accountant."""
    AssignmentFactory(organisation=organisation, user=accountant, role="accountant")
    return accountant
