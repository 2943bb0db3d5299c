import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation

from accordo.filings.models import ReturnStatus, TaxReturn
from accordo.testing.factories import AssignmentFactory, StaffFactory

DEFAULT_RULE = importlib.import_module("accordo.filings.migrations.0002_default_rule")


@pytest.fixture(autouse=True)
def _english_messages(client, settings):
    """Messages are checked in English: in code, and on pages (the language switch's cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _default_rule(db):
    """The seeded rule, also after a live-server test emptied the tables (a no-op when it exists)."""
    DEFAULT_RULE.forwards(apps, None)


@pytest.fixture
def tax_advisor(organisation):
    user = StaffFactory(email="advisor@firm.test", staff_role="tax_advisor", full_name="Tessa Taks")
    AssignmentFactory(organisation=organisation, user=user, role="tax_advisor")
    return user


@pytest.fixture
def ib_return(organisation):
    return TaxReturn.objects.create(
        organisation=organisation, type="ib", period="2025", period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31), status=ReturnStatus.SUBMITTED, amount=Decimal("1000.00"),
        submitted_on=datetime.date(2026, 4, 1),
    )  # fmt: skip
