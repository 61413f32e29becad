"""Findings, opinions, meetings and attendance, surveys and their aggregated results."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from rectify.evaluation.selectors import round_results, surveys_visible_to
from rectify.inspection.selectors.findings import findings_visible_to
from rectify.inspection.selectors.opinions import opinions_visible_to
from rectify.org.scoping import visible_to
from rectify.study.models import Attendance
from rectify.study.selectors import meetings_visible_to

from ..filters import AttendanceFilter, CampaignUnitFilter, FindingFilter, OpinionFilter
from ..serializers.stages import (
    AttendanceSerializer,
    FindingSerializer,
    MeetingSerializer,
    OpinionSerializer,
    SurveyResultsSerializer,
    SurveySerializer,
)
from .base import ScopedReadViewSet


class FindingViewSet(ScopedReadViewSet):
    """Findings (问题线索) of self-examination, opinions, research and guidance feedback."""

    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    ordering_fields = ["id", "created_at", "status"]

    def scoped_queryset(self, user) -> QuerySet:
        return findings_visible_to(user)


class OpinionViewSet(ScopedReadViewSet):
    """Solicited opinions (征求意见), as staff see them."""

    serializer_class = OpinionSerializer
    filterset_class = OpinionFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-created_at", "-id"]

    def scoped_queryset(self, user) -> QuerySet:
        return opinions_visible_to(user)


class MeetingViewSet(ScopedReadViewSet):
    """Meetings and study sessions (会议 / 集中学习)."""

    serializer_class = MeetingSerializer
    filterset_class = CampaignUnitFilter
    ordering_fields = ["id", "starts_at"]
    ordering = ["-starts_at", "-id"]

    def scoped_queryset(self, user) -> QuerySet:
        return meetings_visible_to(user)


class AttendanceViewSet(ScopedReadViewSet):
    """Attendance (出席情况) of the meetings the user may see."""

    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilter
    ordering_fields = ["id", "status"]

    def scoped_queryset(self, user) -> QuerySet:
        alive = Attendance.objects.filter(meeting__deleted_at__isnull=True)
        return visible_to(alive, user).select_related("person")


class SurveyViewSet(ScopedReadViewSet):
    """Satisfaction surveys (满意度测评); results are aggregates, never single responses."""

    serializer_class = SurveySerializer
    filterset_class = CampaignUnitFilter
    ordering_fields = ["id", "created_at"]

    def scoped_queryset(self, user) -> QuerySet:
        return surveys_visible_to(user)

    @extend_schema(responses={200: SurveyResultsSerializer})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def results(self, request: Request, pk=None) -> Response:
        """Satisfaction rates per round, per evaluated unit and question, and in total."""
        survey = self.get_object()
        rounds = []
        for round_ in survey.rounds.order_by("order", "pk"):
            units, total = round_results(survey, round_)
            rounds.append(
                {
                    "round": round_.pk,
                    "name": round_.name,
                    "total": _result(total),
                    "units": [_result(unit) for unit in units],
                }
            )
        body = SurveyResultsSerializer({"survey": survey.pk, "rounds": rounds})
        return Response(body.data)


def _result(result) -> dict:
    return {
        "unit": result.unit,
        "responses": result.responses,
        "overall": result.overall,
        "questions": [{"question": q, "rate": rate} for q, rate in result.questions],
    }
