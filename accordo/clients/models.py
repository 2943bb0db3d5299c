"""The firm, its client organisations, memberships of client users and assigned staff."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accordo.core.crypto import EncryptedCharField, mask
from accordo.core.models import BaseModel

DEFAULT_LOCKED_FIELDS = [
    "kind",
    "name",
    "legal_form",
    "country",
    "kvk_number",
    "rsin",
    "vat_number",
    "kbo_number",
    "bsn",
]


class Firm(BaseModel):
    """The one accountancy firm of this installation, with its branding (SPEC §1, §14)."""

    name = models.CharField(_("name"), max_length=150)
    logo = models.FileField(_("logo"), upload_to="branding/", blank=True)
    primary_color = models.CharField(_("main colour"), max_length=7, default="#1d4e89")
    accent_color = models.CharField(_("accent colour"), max_length=7, default="#f2a541")
    welcome_text = models.TextField(_("welcome text"), blank=True)
    email_signature = models.TextField(_("e-mail signature"), blank=True)
    sender_email = models.EmailField(_("sender address"), default="noreply@localhost")
    host_name = models.CharField(_("host name"), max_length=253, blank=True)
    require_client_mfa = models.BooleanField(_("two-factor authentication required for clients"), default=False)
    require_approval_mfa = models.BooleanField(
        _("two-factor authentication required for approving"),
        default=False,
        help_text=_("Clients without two-factor authentication then cannot approve in the portal."),
    )
    link_valid_days = models.PositiveSmallIntegerField(
        _("temporary links stay valid for (days)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    link_max_opens = models.PositiveSmallIntegerField(
        _("temporary links can be opened (times)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    approval_expire_days = models.PositiveSmallIntegerField(
        _("approvals expire this many days after their due date"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    locked_fields = models.JSONField(_("fields only staff may change"), default=list, blank=True)
    assessment_tolerance = models.DecimalField(
        _("assessments within this amount of the return are conform (EUR)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    extension_scheme = models.BooleanField(
        _("the firm takes part in the tax advisers' extension scheme (uitstelregeling)"), default=False
    )
    nl_yearly_vat_due_month = models.PositiveSmallIntegerField(
        _("yearly VAT returns are due in month"), default=3, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    nl_yearly_vat_due_day = models.PositiveSmallIntegerField(
        _("yearly VAT returns are due on day"), default=31, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    deadline_task_days_ahead = models.PositiveSmallIntegerField(
        _("start a task this many days before each deadline (0: never)"),
        default=0,
        validators=[MaxValueValidator(180)],
    )
    deadline_task_role = models.CharField(_("deadline tasks go to"), max_length=20, default="accountant")

    class Meta:
        verbose_name = _("firm")

    def __str__(self) -> str:
        return self.name

    @property
    def version(self) -> str:
        """Changes whenever the branding changes; busts the cache of the branding stylesheet."""
        stamp = f"{self.updated_at.timestamp() if self.updated_at else 0}:{self.primary_color}:{self.accent_color}"
        return hashlib.sha256(stamp.encode()).hexdigest()[:12]

    @property
    def sender(self) -> str:
        return f"{self.name} <{self.sender_email}>"


class Label(BaseModel):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("label")

    def __str__(self) -> str:
        return self.name


class Tier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    COLLABORATE = "collaborate", _("Collaborate")
    COLLABORATE_EXTENDED = "collaborate_extended", _("Collaborate extended")


class Organisation(BaseModel):
    """A client of the firm: a company or a private person (SPEC §1, §2)."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PERSON = "person", _("Private person")

    class Country(models.TextChoices):
        NL = "NL", _("Netherlands")
        BE = "BE", _("Belgium")

    class LegalForm(models.TextChoices):
        BV = "bv", _("BV")
        NV = "nv", _("NV")
        VOF = "vof", _("VOF")
        CV = "cv", _("CV")
        EENMANSZAAK = "eenmanszaak", _("Sole proprietorship (eenmanszaak)")
        MAATSCHAP = "maatschap", _("Partnership (maatschap)")
        STICHTING = "stichting", _("Foundation (stichting)")
        VERENIGING = "vereniging", _("Association (vereniging)")
        COOPERATIE = "cooperatie", _("Cooperative")
        BE_BV = "be_bv", _("BV / SRL")
        BE_NV = "be_nv", _("NV / SA")
        BE_VOF = "be_vof", _("VOF / SNC")
        BE_COMMV = "be_commv", _("CommV / SComm")
        BE_VZW = "be_vzw", _("VZW / ASBL")
        PERSON = "person", _("Private person")

    class VatFrequency(models.TextChoices):
        NONE = "none", _("Not liable")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(_("name"), max_length=200)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices, default=LegalForm.BV)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.NL)
    kvk_number = models.CharField(_("KvK number"), max_length=8, blank=True)
    rsin = models.CharField(_("RSIN"), max_length=9, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=14, blank=True)
    kbo_number = models.CharField(_("enterprise number (KBO)"), max_length=10, blank=True)
    bsn = EncryptedCharField(_("BSN"), blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    visit_street = models.CharField(_("street and number"), max_length=200, blank=True)
    visit_postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    visit_city = models.CharField(_("city"), max_length=100, blank=True)
    postal_street = models.CharField(_("postal address"), max_length=200, blank=True)
    postal_postcode = models.CharField(_("postal postcode"), max_length=10, blank=True)
    postal_city = models.CharField(_("postal city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    financial_year_end_month = models.PositiveSmallIntegerField(
        _("financial year ends in month"), default=12, choices=[(m, str(m)) for m in range(1, 13)]
    )
    vat_frequency = models.CharField(
        _("VAT filing frequency"), max_length=10, choices=VatFrequency.choices, default=VatFrequency.QUARTERLY
    )
    has_payroll = models.BooleanField(_("has employees (payroll tax)"), default=False)
    tier = models.CharField(_("service tier"), max_length=24, choices=Tier.choices, default=Tier.COLLABORATE_EXTENDED)
    labels = models.ManyToManyField(Label, blank=True, related_name="organisations", verbose_name=_("labels"))
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        indexes = [
            models.Index(fields=["tier", "name"], name="org_tier_name"),
            # The staff list's order: its first page is read from the index, not sorted.
            models.Index(fields=["name", "id"], name="org_name_id"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def bsn_masked(self) -> str:
        return mask(self.bsn)

    def build_search_text(self) -> str:
        parts = [
            self.name,
            self.trade_name,
            self.kvk_number,
            self.vat_number,
            self.kbo_number,
            self.visit_city,
        ]
        return " ".join(p for p in parts if p).lower()


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    APPROVER = "approver", _("Approver")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def portal(self) -> MembershipQuerySet:
        """Memberships that give a portal login: only the Collaborate extended tier has one (SPEC §14)."""
        return self.filter(organisation__tier=Tier.COLLABORATE_EXTENDED)


class Membership(BaseModel):
    """A client user's access to one organisation, with a role."""

    objects = MembershipQuerySet.as_manager()

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.VIEWER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.organisation_id}:{self.role}"

    @property
    def can_edit_data(self) -> bool:
        return self.role in (MemberRole.OWNER, MemberRole.APPROVER)

    @property
    def can_decide(self) -> bool:
        """Owners and approvers may be asked to approve (SPEC §5)."""
        return self.role in (MemberRole.OWNER, MemberRole.APPROVER)

    @property
    def can_deliver(self) -> bool:
        """Owners, approvers and contributors deliver documents; viewers only look."""
        return self.role != MemberRole.VIEWER


class AssignmentRole(models.TextChoices):
    ACCOUNTANT = "accountant", _("Responsible accountant")
    TAX_ADVISOR = "tax_advisor", _("Tax advisor")
    ASSISTANT = "assistant", _("Assistant")


class StaffAssignment(BaseModel):
    """A staff member assigned to a client organisation in a role."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=20, choices=AssignmentRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "role"], name="assignment_unique_role")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}@{self.organisation_id}"
