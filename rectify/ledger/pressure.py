"""How often each measure was pressed: its urges and its approved deadline extensions.

:attr:`Measure.urge_count` and :attr:`Measure.extension_count` are kept by the
services that add those rows, with an SQL increment in the same transaction
(:func:`urged`, :func:`extended`); :meth:`Measure.save` never writes them back.
:func:`recount` sets them from the rows themselves: after a bulk load that
bypassed the services, and as the reference the tests compare with.
"""

from collections.abc import Iterable

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from .models import ExtensionRequest, ExtensionStatus, Measure, Urge


def urged(measure_ids: Iterable[int]) -> None:
    """Count one more urge on each of these measures (call in the urge's transaction)."""
    Measure.all_objects.filter(pk__in=list(measure_ids)).update(urge_count=F("urge_count") + 1)


def extended(measure_id: int) -> None:
    """Count one more approved extension of this measure (in the approval's transaction)."""
    Measure.all_objects.filter(pk=measure_id).update(extension_count=F("extension_count") + 1)


def _per_measure(rows) -> Coalesce:
    counted = rows.filter(measure=OuterRef("pk")).order_by().values("measure")
    counted = counted.annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def drifted(measures=None):
    """The measures of ``measures`` (every measure by default) whose counters differ from
    their urges and approved extensions."""
    measures = Measure.all_objects.all() if measures is None else measures
    urges, approved = _rows()
    pressed = (
        Q(pk__in=urges.values("measure"))
        | Q(pk__in=approved.values("measure"))
        | Q(urge_count__gt=0)
        | Q(extension_count__gt=0)
    )
    return (
        measures.filter(pressed)
        .annotate(urges_now=_per_measure(urges), extensions_now=_per_measure(approved))
        .filter(~Q(urge_count=F("urges_now")) | ~Q(extension_count=F("extensions_now")))
    )


def recount(measures=None) -> int:
    """Set both counters of :func:`drifted` measures from their rows; returns how many were
    rewritten (only those: most measures of a large ledger were never pressed, and
    rewriting a million rows costs minutes on PostgreSQL)."""
    urges, approved = _rows()
    return Measure.all_objects.filter(pk__in=drifted(measures).values("pk")).update(
        urge_count=_per_measure(urges), extension_count=_per_measure(approved)
    )


def _rows():
    return Urge.objects.all(), ExtensionRequest.objects.filter(status=ExtensionStatus.APPROVED)
