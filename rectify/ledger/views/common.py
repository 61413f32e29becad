"""What the ledger views share: scoped lookups, service errors on forms, history for display."""

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rectify.campaigns.models import Target
from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.forms import ReasonForm, add_service_error, offer_choices
from rectify.org.models import Person, Unit
from rectify.org.scoping import (
    CHANGE,
    VIEW,
    can_change_unit,
    editable_by,
    is_system_admin,
    person_of,
    scope_paths,
    units_visible_to,
    visible_to,
)
from rectify.org.selectors import units_for_choice

from ..forms import persons_for
from ..lights import Light
from ..models import Evidence, Measure, Problem
from ..selectors import (
    history_of,
    light_counts,
    measures_visible_to,
    problems_visible_to,
    with_light,
    with_problem_status,
)

#: The most units or persons a list's filter offers as options (others arrive by link).
FILTER_CHOICES = 200

#: What an option naming a unit reads (``Unit.__str__``).
UNIT_LABEL_FIELDS = ("name", "short_name")

#: Past the list's count cap, each light is counted up to this many measures.
LIGHT_COUNT_CAP = 1000

#: Fields whose history is bookkeeping, not a change a reader cares about.
HIDDEN_HISTORY_FIELDS = {"version"}


def require_editor(user, unit: Unit) -> None:
    """403 unless the user administers ``unit`` (the object is already known to be visible)."""
    if not can_change_unit(user, unit):
        raise PermissionDenied(_("You may not change the ledger of “%(unit)s”.") % {"unit": unit})


def edits_anything(user) -> bool:
    """True when the user administers some unit (so "new problem" makes sense)."""
    return is_system_admin(user) or bool(scope_paths(user, CHANGE))


def problem_for(user, pk: int) -> Problem:
    """A problem the user may see, or a deleted one they may restore; 404 otherwise."""
    problem = problems_visible_to(user).filter(pk=pk).first()
    if problem is None:
        deleted = editable_by(Problem.all_objects.deleted(), user).select_related(
            "campaign", "unit", "target", "concerned_person"
        )
        problem = with_problem_status(deleted).filter(pk=pk).first()
    if problem is None:
        raise Http404(_("No such problem."))
    return problem


def measure_for(user, pk: int) -> Measure:
    """A measure the user may see, or a deleted one they may restore; 404 otherwise."""
    detail = ("problem__target", "responsible_leader", "responsible_department")
    measure = measures_visible_to(user).select_related(*detail).filter(pk=pk).first()
    if measure is None:
        deleted = editable_by(Measure.all_objects.deleted(), user).select_related(
            "problem", "unit", "campaign", *detail
        )
        measure = with_light(deleted).filter(pk=pk).first()
    if measure is None:
        raise Http404(_("No such measure."))
    return measure


def evidence_visible_to(user) -> QuerySet[Evidence]:
    """Evidence of measures the user may see, plus that of deleted measures they may restore."""
    alive = visible_to(Evidence.objects.filter(note__measure__deleted_at__isnull=True), user)
    deleted = editable_by(Evidence.objects.filter(note__measure__deleted_at__isnull=False), user)
    return alive | deleted


def persons_listed_for(user) -> QuerySet[Person]:
    """Persons whose responsibility list the user may open: those in scope, and themselves."""
    persons = persons_for(user)
    own = person_of(user)
    if own is None:
        return persons
    # One OR of the two conditions, not ``pk IN (persons in scope)``: that subquery
    # lists every person in scope before the page's one is looked up.
    return persons | Person.objects.select_related("unit").filter(pk=own.pk)


def narrow_filter(filterset, user) -> None:
    """Offer only the campaigns, units, targets and persons the user can see."""
    campaigns = campaigns_visible_to(user)
    fields = filterset.form.fields
    fields["campaign"].queryset = campaigns
    fields["unit"].queryset = units_visible_to(user)
    offered = units_for_choice(user, levels=2, action=VIEW, cap=FILTER_CHOICES)
    offered_units = list(offered.only(*UNIT_LABEL_FIELDS))
    offer_choices(filterset.form, "unit", offered_units)
    targets = Target.objects.filter(campaign__in=campaigns).select_related("campaign")
    slug = filterset.data.get("campaign")
    if slug:
        fields["target"].queryset = targets.filter(campaign__slug=slug)
    else:
        # Campaigns made from one template share target titles: say whose target it is.
        fields["target"].queryset = targets
        fields["target"].label_from_instance = lambda t: f"{t.campaign} · {t}"
    if "person" in fields:
        fields["person"].queryset = persons_for(user)
        offer_choices(
            filterset.form,
            "person",
            persons_for(user)
            .filter(unit__in=[unit.pk for unit in offered_units])
            .only("name", "unit", *(f"unit__{name}" for name in UNIT_LABEL_FIELDS))
            .order_by("name")[:FILTER_CHOICES],
            label=lambda p: f"{p.name} ({p.unit})",
        )


def filtered(filterset) -> QuerySet:
    """The filtered rows; none at all when a filter value is invalid (never silently all)."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def light_summary(
    measures: QuerySet[Measure], page_obj, *, stalled: bool = False
) -> tuple[list[tuple[str, str, int, bool]], int | None]:
    """``(light, label, count, more)`` for each light of the listed measures, and with
    ``stalled`` how many of them have had no recent progress (else ``None``).

    A list small enough to count exactly is aggregated in one query, the
    stalled count included. Past the paginator's cap each light is counted only
    up to :data:`LIGHT_COUNT_CAP` and ``more`` says the true number is larger
    (the page shows "1000+"); the stalled count, which reads each row's progress
    notes, is then ``None``: the page offers the filter without the number.
    """
    if not page_obj.paginator.capped:
        counts = light_counts(measures, stalled=stalled)
        lights = [(value, label, counts[value], False) for value, label in Light.choices]
        return lights, counts["stalled"] if stalled else None
    counts = light_counts(measures, cap=LIGHT_COUNT_CAP)
    lights = [
        (value, label, min(counts[value], LIGHT_COUNT_CAP), counts[value] > LIGHT_COUNT_CAP)
        for value, label in Light.choices
    ]
    return lights, None


def save_versioned(
    request: HttpRequest, form, obj, service, *, success: str
) -> HttpResponse | None:
    """Run an edit service with the form's version and reason; redirect on success.

    Returns ``None`` when the form or the service refused the edit (the errors
    are then on the form, and the caller renders it again).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    fields = dict(form.cleaned_data)
    version, reason = fields.pop("version"), fields.pop("reason")
    try:
        service(expected_version=version, reason=reason, acting_user=request.user, **fields)
    except ValidationError as exc:
        add_service_error(form, exc)
        return None
    messages.success(request, success)
    return redirect(obj)


def soft_delete_or_restore(
    request: HttpRequest, obj, service, *, success: str, target=None
) -> HttpResponse:
    """Run a delete or restore service with the posted reason, then go back to ``obj``."""
    form = ReasonForm(request.POST)
    if form.is_valid():
        kind = obj._meta.model_name
        try:
            service(**{kind: obj}, acting_user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, success)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(target or obj)


def _display(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dt.datetime):
        return formats.localize(timezone.localtime(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def describe_history(obj) -> list[dict]:
    """:func:`history_of` made readable: names instead of ids, labels instead of codes.

    Related rows are looked up in one query per related model, whatever the length.
    """
    entries = history_of(obj)
    fields = {str(f.verbose_name): f for f in obj._meta.get_fields() if hasattr(f, "verbose_name")}
    wanted: dict[type, set] = defaultdict(set)
    for entry in entries:
        for change in entry["changes"]:
            field = fields.get(str(change["field"]))
            change["model_field"] = field
            if field is None or not field.is_relation:
                continue
            if field.many_to_many:
                key = field.m2m_reverse_field_name()
                for side in ("old", "new"):
                    change[side] = [row[key] for row in change[side] or []]
                    wanted[field.related_model].update(change[side])
            else:
                wanted[field.related_model].update(v for v in (change["old"], change["new"]) if v)
    names = {model: model._base_manager.in_bulk(list(pks)) for model, pks in wanted.items() if pks}
    users = {entry["record"].history_user_id for entry in entries} - {None}
    people = dict(Person.all_objects.filter(user_id__in=users).values_list("user_id", "name"))
    described = []
    for index, entry in enumerate(entries):
        record = entry["record"]
        # The history diff covers editable fields only; soft delete and restore
        # show up as a change of ``deleted_at`` between consecutive records.
        previous = entries[index + 1]["record"] if index + 1 < len(entries) else None
        was_deleted = previous is not None and previous.deleted_at is not None
        action = ""
        if record.history_type == "+":
            action = _("created")
        elif record.deleted_at is not None and not was_deleted:
            action = _("deleted")
        elif record.deleted_at is None and was_deleted:
            action = _("restored")
        changes = []
        for change in entry["changes"]:
            field = change["model_field"]
            if field is not None and field.name in HIDDEN_HISTORY_FIELDS:
                continue
            old, new = change["old"], change["new"]
            if field is not None and field.is_relation:
                found = names.get(field.related_model, {})
                if field.many_to_many:
                    old = [found.get(pk, pk) for pk in old]
                    new = [found.get(pk, pk) for pk in new]
                else:
                    old, new = found.get(old, old), found.get(new, new)
            elif field is not None and field.choices:
                labels = dict(field.flatchoices)
                old, new = labels.get(old, old), labels.get(new, new)
            changes.append({"field": change["field"], "old": _display(old), "new": _display(new)})
        if not changes and not action:
            continue  # a save that changed nothing a reader sees (the version, an m2m echo)
        user = record.history_user
        described.append(
            {
                "when": record.history_date,
                "who": people.get(record.history_user_id) or (user.get_username() if user else ""),
                "reason": record.history_change_reason or "",
                "action": action,
                "changes": changes,
            }
        )
    return described
