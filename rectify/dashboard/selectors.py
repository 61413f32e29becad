"""Reads across the stages, through each stage's own selectors and models.

The pipeline (以学促研、以研促查、以查促改) counts, for one campaign, every
stage of each unit below a node — study sessions, research topics, findings,
problems, measures, problems signed off — with one count per stage grouped by
child unit (:func:`rectify.inspection.selectors.gaps.tally`): the same handful
of queries for any number of children.
"""

from dataclasses import dataclass, fields

from django.core.exceptions import PermissionDenied

from rectify.campaigns.models import Campaign
from rectify.inspection.models import Finding, ResearchTopic
from rectify.inspection.selectors.gaps import problem_counts, row_units, tally
from rectify.org.models import Unit
from rectify.org.scoping import can_see_unit_for_campaign
from rectify.study.models import Meeting


@dataclass
class PipelineRow:
    """One unit's funnel; ``own`` for what is recorded on the node itself, else a child's subtree.

    ``study_sessions`` counts the meetings held that count as study (for coverage).
    """

    unit: Unit | None
    own: bool = False
    study_sessions: int = 0
    research_topics: int = 0
    findings: int = 0
    problems: int = 0
    measures: int = 0
    signed_off: int = 0

    def add(self, other: "PipelineRow") -> None:
        """Add ``other``'s counts to this row (for the total)."""
        for name in STAGES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


#: The counted stages, in the order of the funnel.
STAGES = tuple(f.name for f in fields(PipelineRow) if f.name not in ("unit", "own"))


@dataclass
class Pipeline:
    """The funnel of ``campaign`` over ``node``: own row first, then the children, and the total."""

    campaign: Campaign
    node: Unit
    rows: list[PipelineRow]
    total: PipelineRow


def pipeline(user, campaign: Campaign, node: Unit) -> Pipeline:
    """The pipeline of ``campaign`` per unit below ``node`` (each child with its subtree).

    Scope is checked once on the node, as for the gap matrix; a node out of the
    user's scope in this campaign raises :class:`PermissionDenied`.
    """
    if not can_see_unit_for_campaign(user, node, campaign.pk):
        raise PermissionDenied
    stages = {
        "study_sessions": tally(
            Meeting.objects.filter(campaign=campaign, counts_for_coverage=True), node
        ),
        "research_topics": tally(ResearchTopic.objects.filter(campaign=campaign), node),
        "findings": tally(Finding.objects.filter(campaign=campaign), node),
    }
    ledger = problem_counts(campaign, node, by_target=False)
    for stage, column in (
        ("problems", "total"),
        ("measures", "measures"),
        ("signed_off", "signed_off"),
    ):
        stages[stage] = {path: row[column] for (path, _all), row in ledger.items()}
    keys = {key for counts in stages.values() for key in counts}
    rows = []
    for unit, own in row_units(campaign, node, keys):
        figures = {name: counts.get(unit.path, 0) for name, counts in stages.items()}
        rows.append(PipelineRow(unit=unit, own=own, **figures))
    total = PipelineRow(unit=None)
    for row in rows:
        total.add(row)
    return Pipeline(campaign=campaign, node=node, rows=rows, total=total)
