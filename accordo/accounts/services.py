"""Writes about people: invitations, accepting them, language preference."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, get_random_string, salted_hmac
from django.utils.translation import gettext as _

from accordo.accounts.models import Invitation, StaffRole, User
from accordo.clients.models import MemberRole, Membership, Organisation
from accordo.core.context import RequestContext
from accordo.core.events import event_record


class InvitationUnusable(Exception):
    """The invitation cannot be used; ``reason`` is 'expired', 'accepted' or 'revoked'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def invitation_token(invitation: Invitation) -> str:
    return salted_hmac("accordo.invitation", f"{invitation.public_id}:{invitation.nonce}").hexdigest()


def invitation_token_valid(invitation: Invitation, token: str) -> bool:
    return constant_time_compare(invitation_token(invitation), token)


def invitation_usable_check(invitation: Invitation) -> None:
    if invitation.status == Invitation.Status.ACCEPTED:
        raise InvitationUnusable("accepted")
    if invitation.status == Invitation.Status.REVOKED:
        raise InvitationUnusable("revoked")
    if invitation.is_expired:
        raise InvitationUnusable("expired")


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    ctx: RequestContext,
    organisation: Organisation,
    email: str,
    role: str,
    full_name: str = "",
    language: str = "nl",
) -> Invitation:
    """Invite a person to an organisation; earlier open invitations for the same address lapse."""
    email = email.strip().lower()
    if role not in MemberRole.values:
        raise ValidationError(_("Choose a valid role."))
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError(_("This person is already a member of this organisation."))
    for old in Invitation.objects.filter(organisation=organisation, email__iexact=email, status="pending"):
        _revoke(actor=actor, ctx=ctx, invitation=old)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        full_name=full_name.strip(),
        role=role,
        language=language,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        invited_by=actor,
    )
    event_record(
        actor=actor,
        ctx=ctx,
        verb="invitation.sent",
        target=invitation,
        organisation=organisation,
        data={"email": email, "role": role, "expires_at": invitation.expires_at.isoformat()},
    )
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, ctx: RequestContext, invitation: Invitation) -> Invitation:
    """A fresh link and expiry for a pending invitation; the old link stops working."""
    updated = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        nonce=get_random_string(43),
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise ValidationError(_("Only an open invitation can be sent again."))
    invitation.refresh_from_db()
    event_record(
        actor=actor,
        ctx=ctx,
        verb="invitation.sent",
        target=invitation,
        organisation=invitation.organisation,
        data={"email": invitation.email, "role": invitation.role, "resent": True},
    )
    return invitation


def _revoke(*, actor: User, ctx: RequestContext, invitation: Invitation) -> None:
    updated = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.REVOKED, decided_at=timezone.now()
    )
    if updated != 1:
        raise ValidationError(_("This invitation is no longer open."))
    event_record(
        actor=actor,
        ctx=ctx,
        verb="invitation.revoked",
        target=invitation,
        organisation=invitation.organisation,
        data={"email": invitation.email},
    )


@transaction.atomic
def invitation_revoke(*, actor: User, ctx: RequestContext, invitation: Invitation) -> None:
    """Withdraw an open invitation; its link then says it was withdrawn."""
    _revoke(actor=actor, ctx=ctx, invitation=invitation)


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    ctx: RequestContext,
    user: User | None = None,
    password: str = "",
    full_name: str = "",
) -> tuple[User, Membership]:
    """Use the invitation: a new person gets an account, an existing one just gains the membership.

    ``user`` is the logged-in account of the invited address, or None for a new account with
    ``password``. The status check and update are one statement, so a link works once.
    """
    invitation_usable_check(invitation)
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("An account with this e-mail address exists; sign in to accept."))
        candidate = User(email=invitation.email, full_name=full_name.strip(), language=invitation.language)
        validate_password(password, candidate)
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError(_("This invitation is for another e-mail address."))
    updated = Invitation.objects.filter(
        pk=invitation.pk, status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
    ).update(status=Invitation.Status.ACCEPTED, decided_at=timezone.now())
    if updated != 1:
        invitation.refresh_from_db()
        invitation_usable_check(invitation)
        raise InvitationUnusable("accepted")
    created = user is None
    if user is None:
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            full_name=full_name.strip(),
            language=invitation.language,
        )
        event_record(actor=user, ctx=ctx, verb="user.created", target=user, data={"email": user.email})
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    event_record(
        actor=user,
        ctx=ctx,
        verb="invitation.accepted",
        target=invitation,
        organisation=invitation.organisation,
        data={"email": user.email, "role": membership.role, "new_account": created},
    )
    return user, membership


@transaction.atomic
def user_set_language(*, actor: User, ctx: RequestContext, language: str) -> None:
    if language not in dict(settings.LANGUAGES) or actor.language == language:
        return
    old = actor.language
    User.objects.filter(pk=actor.pk).update(language=language)
    actor.language = language
    event_record(actor=actor, ctx=ctx, verb="user.language_changed", target=actor, data={"old": old, "new": language})


@transaction.atomic
def user_update_profile(*, actor: User, ctx: RequestContext, full_name: str, language: str) -> dict[str, object]:
    """A person changes their own name and preferred language."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose a valid language."))
    diff: dict[str, object] = {}
    if actor.full_name != full_name.strip():
        diff["full_name"] = {"old": actor.full_name, "new": full_name.strip()}
    if actor.language != language:
        diff["language"] = {"old": actor.language, "new": language}
    if not diff:
        return diff
    User.objects.filter(pk=actor.pk).update(full_name=full_name.strip(), language=language)
    actor.full_name, actor.language = full_name.strip(), language
    event_record(actor=actor, ctx=ctx, verb="user.profile_changed", target=actor, data={"changes": diff})
    return diff


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    ctx: RequestContext,
    email: str,
    password: str | None,
    full_name: str = "",
    staff_role: str = "",
    language: str = "nl",
) -> User:
    """Create an account directly (staff accounts, the demo seed); clients normally come by invitation."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account with this e-mail address exists already."))
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, staff_role=staff_role, language=language
    )
    event_record(
        actor=actor,
        ctx=ctx,
        verb="user.created",
        target=user,
        data={"email": email, "staff_role": staff_role},
    )
    return user


def _require_admin(actor: User) -> None:
    if not actor.is_firm_admin:
        raise PermissionError("only a staff administrator may manage the team")


@transaction.atomic
def staff_add(*, actor: User, ctx: RequestContext, email: str, full_name: str, role: str, language: str = "nl") -> User:
    """Add a staff member; the worker mails a link to choose a password (2FA follows at first login)."""
    _require_admin(actor)
    if role not in StaffRole.values:
        raise ValidationError(_("Choose a valid role."))
    user = user_create(
        actor=actor, ctx=ctx, email=email, password=None, full_name=full_name, staff_role=role, language=language
    )
    event_record(actor=actor, ctx=ctx, verb="staff.added", target=user, data={"email": user.email, "role": role})
    return user


@transaction.atomic
def staff_change_role(*, actor: User, ctx: RequestContext, user: User, role: str) -> None:
    _require_admin(actor)
    if role not in StaffRole.values or not user.is_firm_staff:
        raise ValidationError(_("Choose a valid role."))
    if user.pk == actor.pk and role != StaffRole.ADMIN:
        raise ValidationError(_("You cannot take away your own administrator role."))
    old = user.staff_role
    if old == role:
        return
    User.objects.filter(pk=user.pk).update(staff_role=role)
    event_record(
        actor=actor,
        ctx=ctx,
        verb="staff.role_changed",
        target=user,
        data={"email": user.email, "old": old, "new": role},
    )


@transaction.atomic
def staff_set_active(*, actor: User, ctx: RequestContext, user: User, active: bool) -> None:
    """Block or allow a staff member's sign-in; the account and its history stay."""
    _require_admin(actor)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot block your own account."))
    updated = User.objects.filter(pk=user.pk, is_active=not active).exclude(staff_role="").update(is_active=active)
    if updated != 1:
        return
    event_record(
        actor=actor,
        ctx=ctx,
        verb="staff.reactivated" if active else "staff.deactivated",
        target=user,
        data={"email": user.email},
    )
