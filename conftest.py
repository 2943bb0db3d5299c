"""Project-wide test fixtures: factories and the named people of STYLE.md rule 7."""

from __future__ import annotations

import importlib

import pytest
from django.core.cache import cache

from accordo.testing.factories import (
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
    enrol_totp,
)


@pytest.fixture(autouse=True)
def _clean_caches():
    """allauth's rate limits and axes live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


# Rows the data migrations make. A live-server (transactional) test empties every table when it
# ends, so a later test in the same session would miss them: put them back where a test uses the DB.
DATA_MIGRATIONS = (
    "accordo.deliveries.migrations.0002_default_trays",
    "accordo.dossier.migrations.0003_default_template",
    "accordo.work.migrations.0004_default_reminder_schedules",
)


def restore_migration_data() -> None:
    from django.apps import apps

    for module in DATA_MIGRATIONS:
        importlib.import_module(module).forwards(apps, None)  # each is a no-op when its rows exist


@pytest.fixture(autouse=True)
def _migration_data(request):
    names = set(request.fixturenames)
    if names & {"transactional_db", "live_server"}:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    restore_migration_data()


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Bakkerij Test B.V.")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Andere Klant B.V.")


@pytest.fixture
def firm_admin(db):
    user = StaffFactory(email="admin@firm.test", staff_role="admin", full_name="Anna Admin")
    enrol_totp(user)
    return user


@pytest.fixture
def accountant(db):
    user = StaffFactory(email="accountant@firm.test", staff_role="accountant", full_name="Bram Boekhouder")
    enrol_totp(user)
    return user


@pytest.fixture
def client_owner(organisation):
    user = UserFactory(email="owner@client.test", full_name="Olga Owner")
    MembershipFactory(user=user, organisation=organisation, role="owner")
    return user


@pytest.fixture
def client_viewer(organisation):
    user = UserFactory(email="viewer@client.test", full_name="Victor Viewer")
    MembershipFactory(user=user, organisation=organisation, role="viewer")
    return user


@pytest.fixture
def other_member(other_organisation):
    """A client user of another organisation: must never see ``organisation``."""
    user = UserFactory(email="member@other.test", full_name="Otto Other")
    MembershipFactory(user=user, organisation=other_organisation, role="owner")
    return user


@pytest.fixture
def outsider(db):
    """A logged-in person without any membership."""
    return UserFactory(email="outsider@nowhere.test", full_name="Nobody")


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; Django sends its mail there for the test's duration."""
    from accordo.testing.smtp import SmtpServer

    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()
