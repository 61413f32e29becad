"""Findings, opinions, meetings with attendance, and survey results as the API shows them."""

from rest_framework import serializers

from rectify.evaluation.models import Survey
from rectify.inspection.models import Finding, Opinion
from rectify.study.models import Attendance, Meeting


class FindingSerializer(serializers.ModelSerializer):
    """A finding (发现的问题线索) waiting for triage, or the problem it became."""

    class Meta:
        model = Finding
        fields = [
            "id",
            "campaign",
            "unit",
            "source",
            "target",
            "level",
            "text",
            "status",
            "problem",
            "merged_into",
            "dismissed_reason",
            "triaged_at",
            "created_at",
        ]
        read_only_fields = fields


class OpinionSerializer(serializers.ModelSerializer):
    """A solicited opinion as staff see it: the sender's name only when they gave it."""

    campaign = serializers.IntegerField(source="form.campaign_id", read_only=True)
    unit = serializers.IntegerField(source="form.unit_id", read_only=True)
    name = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    finding = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = [
            "id",
            "form",
            "campaign",
            "unit",
            "text",
            "target",
            "anonymous",
            "name",
            "organization",
            "phone",
            "finding",
            "reply",
            "replied_at",
            "created_at",
        ]
        read_only_fields = fields

    def _signed(self, opinion: Opinion, field: str) -> str:
        return "" if opinion.anonymous else getattr(opinion, field)

    def get_name(self, opinion: Opinion) -> str:
        return self._signed(opinion, "name")

    def get_organization(self, opinion: Opinion) -> str:
        return self._signed(opinion, "organization")

    def get_phone(self, opinion: Opinion) -> str:
        return self._signed(opinion, "phone")

    def get_finding(self, opinion: Opinion) -> int | None:
        finding = getattr(opinion, "finding", None)
        return finding.pk if finding else None


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting or study session (会议 / 集中学习)."""

    class Meta:
        model = Meeting
        fields = [
            "id",
            "campaign",
            "unit",
            "kind",
            "title",
            "starts_at",
            "place",
            "presider",
            "topics",
            "counts_for_coverage",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):
    """One invited person of a meeting and whether they came."""

    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "meeting", "person", "person_name", "status", "reason"]
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer):
    """A satisfaction survey (满意度测评); its results are aggregates only."""

    class Meta:
        model = Survey
        fields = ["id", "campaign", "unit", "title", "is_open", "threshold", "min_sample",
                  "created_at"]  # fmt: skip
        read_only_fields = fields


class RateSerializer(serializers.Serializer):
    """A satisfaction rate: counts and the rate, never who answered what."""

    responses = serializers.IntegerField()
    answers = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    sufficient = serializers.BooleanField(help_text="Enough responses to publish a rate.")
    rate = serializers.FloatField(allow_null=True, help_text="Satisfied share, 0–1.")
    score = serializers.FloatField(allow_null=True)
    below_threshold = serializers.BooleanField()


class QuestionRateSerializer(serializers.Serializer):
    """One rating question's rate."""

    question = serializers.IntegerField(source="question.pk")
    prompt = serializers.CharField(source="question.prompt")
    kind = serializers.CharField(source="question.kind")
    rate = RateSerializer()


class UnitResultSerializer(serializers.Serializer):
    """One evaluated unit's results in a round (``unit`` is null for all units together)."""

    unit = serializers.IntegerField(source="unit.pk", allow_null=True, default=None)
    unit_name = serializers.CharField(source="unit.name", allow_null=True, default=None)
    responses = serializers.IntegerField()
    overall = RateSerializer()
    questions = QuestionRateSerializer(many=True)


class RoundResultSerializer(serializers.Serializer):
    """A round's results: every evaluated unit, and the total."""

    round = serializers.IntegerField()
    name = serializers.CharField()
    total = UnitResultSerializer()
    units = UnitResultSerializer(many=True)


class SurveyResultsSerializer(serializers.Serializer):
    """A survey's aggregated results per round."""

    survey = serializers.IntegerField()
    rounds = RoundResultSerializer(many=True)
