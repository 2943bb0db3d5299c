"""Create a staff account and print a one-time link to choose its password."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse

from accordo.accounts.models import StaffRole
from accordo.accounts.services import user_create
from accordo.core.context import RequestContext


class Command(BaseCommand):
    help = "Create a staff account (e.g. the first administrator) and print a link to set its password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--role", default=StaffRole.ADMIN, choices=StaffRole.values)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                user = user_create(
                    actor=None,
                    ctx=RequestContext.system("create_staff"),
                    email=options["email"],
                    password=None,
                    full_name=options["name"],
                    staff_role=options["role"],
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        key = default_token_generator.make_token(user)
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
        self.stdout.write(f"Created {user.email} ({user.get_staff_role_display()}).")
        self.stdout.write(f"Choose a password here: {settings.SITE_URL}{path}")
