"""Factories for tests and the bench (factory_boy is a dev dependency; imported lazily by the bench)."""

from __future__ import annotations

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from accordo.accounts.models import User
from accordo.clients.models import Label, Membership, Organisation, StaffAssignment

TEST_PASSWORD = "correct-horse-battery-staple"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPTESTSECRET234567"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="nl_NL")
    language = "nl"
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):  # type: ignore[no-untyped-def]
        if create:
            instance.save()


class StaffFactory(UserFactory):
    staff_role = "accountant"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n} B.V.")
    legal_form = "bv"
    country = "NL"
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n}")
    visit_street = "Straatweg 1"
    visit_postcode = "3511 AB"
    visit_city = "Utrecht"
    search_text = factory.LazyAttribute(lambda o: f"{o.name} {o.kvk_number} {o.visit_city}".lower())


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "owner"


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Label {n}")


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffAssignment

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(StaffFactory)
    role = "accountant"


def enrol_totp(user: User, secret: str = TEST_TOTP_SECRET) -> Authenticator:
    """Give ``user`` a TOTP authenticator with a known secret."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return existing or TOTP.activate(user, secret).instance


def totp_now(secret: str = TEST_TOTP_SECRET, offset: int = 0) -> str:
    from accordo.accounts.management.commands.demo_totp import current_totp

    return current_totp(secret, offset=offset)
