"""The unit tree, people and role grants (组织、人员、角色)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rectify.core.models import AliveManager, AliveQuerySet, SoftDeleteModel, TimeStampedModel

#: Each level of the materialized path is the unit's id in this many hex digits.
PATH_STEP = 8
#: Sorts after every hex digit, so ``[path, path + PATH_END)`` is exactly a subtree.
PATH_END = "~"


def path_segment(pk: int) -> str:
    """The path segment of the unit with primary key ``pk``."""
    return f"{pk:0{PATH_STEP}x}"


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County or district")
    OFFICE = "office", _("Office or department")
    AFFILIATED = "affiliated", _("Directly affiliated unit")
    OTHER = "other", _("Other")


class UnitQuerySet(AliveQuerySet):
    def subtree_of(self, unit: "Unit"):
        """``unit`` and every unit below it, as one index range scan."""
        return self.filter(path__gte=unit.path, path__lt=unit.path + PATH_END)


class Unit(TimeStampedModel, SoftDeleteModel):
    """A unit of the organization tree (单位), at any depth."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind, default=UnitKind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("tree path"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    scope_unit_field = "pk"

    objects = AliveManager.from_queryset(UnitQuerySet)()
    all_objects = models.Manager.from_queryset(UnitQuerySet)()

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        # Pickers offer the top levels of the tree: found by depth, not by walking paths.
        indexes = [models.Index(fields=["depth", "path"], name="org_unit_depth_path")]

    def __str__(self) -> str:
        return self.short_name or self.name

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and all its ancestors, root first."""
        return [self.path[: i + PATH_STEP] for i in range(0, len(self.path), PATH_STEP)]

    def is_within(self, other: "Unit") -> bool:
        """True when this unit is ``other`` or lies below it."""
        return self.path.startswith(other.path)


class Rank(models.TextChoices):
    COUNTY_LEVEL_AND_ABOVE = "county_up", _("Leading cadre at county level and above")
    GENERAL = "general", _("General cadre")
    OTHER = "other", _("Other")


class Person(TimeStampedModel, SoftDeleteModel):
    """A person of a unit (人员); may or may not have a login."""

    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    rank = models.CharField(_("rank"), max_length=16, choices=Rank, default=Rank.GENERAL)
    is_leadership_member = models.BooleanField(_("member of the leadership group"), default=False)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=16,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Reminders and emails reach this person in this language."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    history = HistoricalRecords()
    scope_unit_field = "unit"

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    UNIT_ADMIN = "unit_admin", _("Unit administrator")
    LEADER = "leader", _("Leader")
    RESPONSIBLE = "responsible", _("Responsible person")


#: Roles whose grant lets a user change the ledger of the unit's subtree.
EDITING_ROLES = (Role.SYSTEM_ADMIN, Role.UNIT_ADMIN)


class RoleGrant(TimeStampedModel):
    """A role granted to a login on a unit; it applies to the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.CASCADE,
        related_name="role_grants",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                name="org_rolegrant_unique",
                violation_error_message=_("This role is already granted on this unit."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class GuidanceGroup(TimeStampedModel, SoftDeleteModel):
    """A roving guidance group (巡回指导组) that supervises the units it is assigned.

    Which units it supervises, and for what, is decided elsewhere (an
    assignment per campaign); its members then read those units' subtrees.
    """

    name = models.CharField(_("name"), max_length=200)
    home_unit = models.ForeignKey(
        Unit,
        verbose_name=_("home unit"),
        on_delete=models.PROTECT,
        related_name="guidance_groups",
        help_text=_("The unit that set the group up; its administrators manage the group."),
    )
    leader = models.ForeignKey(
        Person,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_guidance_groups",
    )
    members = models.ManyToManyField(
        Person,
        verbose_name=_("members"),
        blank=True,
        related_name="guidance_groups",
        help_text=_("People with logins; they read the assigned units and cannot change them."),
    )

    history = HistoricalRecords(m2m_fields=[members])
    scope_unit_field = "home_unit"

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("guidance group")
        verbose_name_plural = _("guidance groups")
        ordering = ["home_unit__path", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:guidance-detail", kwargs={"pk": self.pk})
