"""People who log in: firm staff and client users, and invitations to organisations."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accordo.clients.models import MemberRole
from accordo.core.models import BaseModel


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class StaffRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    ACCOUNTANT = "accountant", _("Accountant")
    TAX_ADVISOR = "tax_advisor", _("Tax advisor")
    ASSISTANT = "assistant", _("Assistant")


class User(AbstractBaseUser):
    """Logs in with an e-mail address. Staff have a staff role; client users have none."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="nl")
    staff_role = models.CharField(_("staff role"), max_length=20, choices=StaffRole.choices, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        ordering = ["email"]
        indexes = [
            # Staff pickers list the few staff among thousands of client users, by name.
            models.Index(fields=["full_name"], condition=~models.Q(staff_role=""), name="user_staff_name"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_firm_staff(self) -> bool:
        return bool(self.staff_role)

    @property
    def is_firm_admin(self) -> bool:
        return self.staff_role == StaffRole.ADMIN

    # Django's admin flags, kept for libraries that ask; Accordo does not mount the Django admin.
    @property
    def is_staff(self) -> bool:
        return False

    @property
    def is_superuser(self) -> bool:
        return False

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Invitation(BaseModel):
    """A single-use, expiring link that gives a person a membership of one organisation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    organisation = models.ForeignKey("clients.Organisation", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="nl")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    nonce = models.CharField(max_length=64, default=secrets.token_urlsafe, editable=False)
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "status"], name="invitation_org_status")]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
