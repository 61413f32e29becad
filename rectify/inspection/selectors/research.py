"""Reads of research topics (调查研究): the scoped list, one topic, its files and its findings."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from rectify.org.scoping import editable_by, visible_to

from ..models import Finding, ResearchAttachment, ResearchTopic

_TOPIC_RELATED = ("campaign", "unit", "lead", "lead__unit")


def with_finding_count(topics: QuerySet[ResearchTopic]) -> QuerySet[ResearchTopic]:
    """``topics`` with ``finding_count``: the findings each produced, whatever their triage.

    A correlated subquery rather than a join and GROUP BY, so the list's
    related columns and its capped count stay simple queries.
    """
    counts = (
        Finding.objects.filter(research_topic=OuterRef("pk"))
        .order_by()
        .values("research_topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return topics.annotate(
        finding_count=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))
    )


def topics_visible_to(user) -> QuerySet[ResearchTopic]:
    """Live topics the user may see, with campaign, unit and lead, and their finding counts."""
    topics = visible_to(ResearchTopic.objects.select_related(*_TOPIC_RELATED), user)
    return with_finding_count(topics)


def deleted_topics_editable_by(user) -> QuerySet[ResearchTopic]:
    """Soft-deleted topics the user may restore (those of units they administer)."""
    topics = editable_by(ResearchTopic.all_objects.deleted().select_related(*_TOPIC_RELATED), user)
    return with_finding_count(topics)


def topic_for(user, pk: int) -> ResearchTopic | None:
    """A topic the user may see, or a deleted one they may restore; ``None`` otherwise."""
    topic = topics_visible_to(user).filter(pk=pk).first()
    if topic is None:
        topic = deleted_topics_editable_by(user).filter(pk=pk).first()
    return topic


def attachments_visible_to(user) -> QuerySet[ResearchAttachment]:
    """Report files of topics the user may see, plus those of deleted topics they may restore."""
    alive = visible_to(ResearchAttachment.objects.filter(topic__deleted_at__isnull=True), user)
    deleted = editable_by(ResearchAttachment.objects.filter(topic__deleted_at__isnull=False), user)
    return alive | deleted


def findings_of_topic(topic: ResearchTopic) -> QuerySet[Finding]:
    """The findings ``topic`` produced, oldest first, with their target and problem.

    Findings of a topic belong to the topic's unit and campaign, so whoever
    may see the topic may see them.
    """
    return (
        Finding.objects.filter(research_topic=topic)
        .select_related("target", "problem")
        .order_by("created_at", "id")
    )
