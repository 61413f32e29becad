"""Deadline lights (红黄绿灰), computed in SQL so lists, filters, counts and exports agree.

- grey: long-term (长期坚持) with no fixed date;
- green: done, or the deadline lies beyond the campaign's warning window;
- yellow: not done and the deadline falls within the warning window;
- red: not done and overdue.
"""

import datetime as dt

from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.models import Campaign

from .models import DONE_STATUSES, OPEN_STATUSES, MeasureKind, ProgressNote


class Light(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")
    GREY = "grey", _("Grey")


class AddDays(models.Func):
    """``date + days`` where ``days`` is an integer expression, on SQLite and PostgreSQL."""

    output_field = models.DateField()
    sign = "+"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=f", '{self.sign}' || ",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(%(expressions)s)",
            arg_joiner=f"::date {self.sign} ",
            **extra_context,
        )


class SubtractDays(AddDays):
    """``date - days`` where ``days`` is an integer expression."""

    sign = "-"


def _warning_edge(today: dt.date) -> AddDays:
    return AddDays(_date(today), F("campaign__warning_days"))


def _date(day: dt.date) -> Value:
    return Value(day, output_field=models.DateField())


def campaign_windows(field: str) -> list[int]:
    """The distinct values (days) of a window ``field`` of all campaigns, smallest first."""
    return list(Campaign.all_objects.order_by(field).values_list(field, flat=True).distinct())


def warning_windows() -> list[int]:
    """The campaigns' distinct warning windows: one small query."""
    return campaign_windows("warning_days")


def light_q(
    light: str,
    today: dt.date | None = None,
    *,
    warning_days: int | None = None,
    windows: list[int] | None = None,
) -> Q:
    """The condition for one light, usable in ``filter()`` and ``Count(filter=...)``.

    ``warning_days``: the window of the one campaign all the measures belong to.
    ``windows``: the campaigns' :func:`warning_windows`, when the caller has read
    them already (else they are read here, for yellow and green).
    Given, or when every campaign warns alike, the yellow/green edge is a
    constant date instead of one computed from each row's campaign: an index
    range the database can estimate and scan (on PostgreSQL, a search's yellow
    count fell from 86 to 34 ms at a million measures). When the windows
    differ, the edge is each row's campaign's, bounded by the widest window.
    """
    today = today or timezone.localdate()
    grey = Q(kind=MeasureKind.LONG_TERM, deadline__isnull=True)
    done = Q(status__in=DONE_STATUSES)
    # "Open" is spelled as the statuses it is, not NOT(done): an IN list lets the
    # (unit, status, deadline) and (status, deadline) indexes serve red and yellow.
    open_dated = Q(status__in=OPEN_STATUSES, deadline__isnull=False)
    if light == Light.GREY:
        return grey
    if light == Light.RED:
        return open_dated & Q(deadline__lt=today)
    if light not in (Light.YELLOW, Light.GREEN):
        raise ValueError(light)
    if warning_days is not None:
        windows = [warning_days]
    elif windows is None:
        windows = warning_windows()
    if len(windows) <= 1:
        edge = today + dt.timedelta(days=windows[0] if windows else 0)
        if light == Light.YELLOW:
            return open_dated & Q(deadline__gte=today, deadline__lte=edge)
        return ~grey & (done | Q(deadline__gt=edge))
    if light == Light.YELLOW:
        # The widest window is redundant with the per-campaign edge, but it is a
        # constant, so the (status, deadline) index scans a few days of deadlines
        # instead of every future one.
        widest = today + dt.timedelta(days=windows[-1])
        return (
            open_dated
            & Q(deadline__gte=today, deadline__lte=widest)
            & Q(deadline__lte=_warning_edge(today))
        )
    return ~grey & (done | Q(deadline__gt=_warning_edge(today)))


def light_expression(today: dt.date | None = None) -> Case:
    """An annotation whose value is the measure's :class:`Light`."""
    today = today or timezone.localdate()
    return Case(
        When(light_q(Light.GREY, today), then=Value(Light.GREY)),
        When(status__in=DONE_STATUSES, then=Value(Light.GREEN)),
        When(deadline__lt=today, then=Value(Light.RED)),
        When(deadline__lte=_warning_edge(today), then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=models.CharField(),
    )


def stalled_q(today: dt.date | None = None) -> Q:
    """Open measures with no progress reported within the campaign's window (无近期进展).

    A measure counts from its creation until its first report, so a new one is
    not flagged before the window has passed. When every campaign uses the same
    window, its start is one constant: the (status, created_at) index then finds
    the open measures old enough to be stalled without reading the others.
    """
    today = today or timezone.localdate()
    windows = campaign_windows("progress_stale_days")
    if len(windows) <= 1:
        since = today - dt.timedelta(days=windows[0] if windows else 0)
        recent = ProgressNote.objects.filter(measure=OuterRef("pk"), reported_on__gte=since)
        opened = day_start(since)
    else:
        recent = ProgressNote.objects.filter(
            measure=OuterRef("pk"),
            reported_on__gte=SubtractDays(_date(today), OuterRef("campaign__progress_stale_days")),
        )
        opened = _window_start(today, windows)
    return Q(status__in=OPEN_STATUSES, created_at__lt=opened) & ~Exists(recent)


def _window_start(today: dt.date, windows: list[int]) -> Case:
    """The instant each measure's progress window opened: local midnight of ``today`` minus
    its campaign's window. Created before it is created before the window's first day.

    One constant per window the campaigns use, so ``created_at`` is compared as
    stored. Asking for its local date instead (``created_at__date``) makes SQLite
    call a Python function on every row: 19 of the 33 ms of a county's red list.
    """
    return Case(
        *(
            When(
                campaign__progress_stale_days=days,
                then=Value(day_start(today - dt.timedelta(days=days))),
            )
            for days in windows
        ),
        output_field=models.DateTimeField(),
    )


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
