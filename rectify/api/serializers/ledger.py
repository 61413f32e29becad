"""The ledger as the API shows it, and the writes it accepts (passed on to the services)."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rectify.campaigns.models import Campaign, Target
from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.forms import REASON_MAX_LENGTH
from rectify.ledger.forms import persons_for
from rectify.ledger.lights import Light
from rectify.ledger.models import (
    Evidence,
    ExtensionRequest,
    Level,
    Measure,
    MeasureKind,
    MeasureStatus,
    Problem,
    ProblemStatus,
    ProgressNote,
    Review,
    ReviewAction,
    Source,
    Urge,
)
from rectify.ledger.selectors import problems_visible_to
from rectify.org.models import Person, Unit
from rectify.org.scoping import CHANGE, units_visible_to

REASON_HELP = "Why the change is made; kept in the object's history."


class ProblemSerializer(serializers.ModelSerializer):
    """A problem (问题清单 row) with the status its measures give it."""

    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status = serializers.ChoiceField(
        source="derived_status", choices=ProblemStatus.choices, read_only=True
    )
    measure_count = serializers.IntegerField(source="measure_total", read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "campaign",
            "unit",
            "unit_name",
            "target",
            "description",
            "source",
            "level",
            "found_on",
            "concerned_person",
            "root_cause",
            "status",
            "measure_count",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MeasureSerializer(serializers.ModelSerializer):
    """A measure (整改清单 row), its light and who answers for it (责任清单)."""

    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    light = serializers.ChoiceField(choices=Light.choices, read_only=True)
    urge_count = serializers.IntegerField(read_only=True, help_text="Urges (催办) received.")
    last_urged_at = serializers.DateTimeField(read_only=True, allow_null=True)
    extension_count = serializers.IntegerField(
        read_only=True, help_text="Approved deadline changes."
    )

    class Meta:
        model = Measure
        fields = [
            "id",
            "problem",
            "campaign",
            "unit",
            "unit_name",
            "content",
            "expected_outcome",
            "kind",
            "deadline",
            "original_deadline",
            "responsible_leader",
            "responsible_department",
            "responsible_persons",
            "status",
            "light",
            "urge_count",
            "last_urged_at",
            "extension_count",
            "completed_on",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    """An evidence file's metadata. The file downloads, after the same scope check, from
    ``api_download_url`` (with the token) or ``download_url`` (the page's link, in a browser)."""

    measure = serializers.IntegerField(source="note.measure_id", read_only=True)
    download_url = serializers.SerializerMethodField()
    api_download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "note",
            "measure",
            "original_name",
            "size",
            "content_type",
            "sha256",
            "created_at",
            "download_url",
            "api_download_url",
        ]
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, evidence: Evidence) -> str:
        return self._absolute(reverse("ledger:evidence-download", kwargs={"pk": evidence.pk}))

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_download_url(self, evidence: Evidence) -> str:
        return self._absolute(reverse("api-v1:evidence-download", kwargs={"pk": evidence.pk}))


class ProgressNoteSerializer(serializers.ModelSerializer):
    """A dated progress report on a measure, with the ids of its evidence files."""

    author_name = serializers.CharField(source="author.username", read_only=True, default=None)
    evidence = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ProgressNote
        fields = ["id", "measure", "reported_on", "text", "author", "author_name", "evidence",
                  "created_at"]  # fmt: skip
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    """One step of a measure's sign-off (销号): submitted, confirmed, accepted, sent back."""

    class Meta:
        model = Review
        fields = ["id", "measure", "action", "from_status", "to_status", "actor", "text",
                  "created_at"]  # fmt: skip
        read_only_fields = fields


class UrgeSerializer(serializers.ModelSerializer):
    """An urge (催办) on a measure."""

    class Meta:
        model = Urge
        fields = ["id", "measure", "by", "message", "created_at"]
        read_only_fields = fields


class ExtensionRequestSerializer(serializers.ModelSerializer):
    """A request to move a measure's deadline (延期申请) and its decision."""

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "measure",
            "requested_by",
            "old_deadline",
            "new_deadline",
            "reason",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields


# Writes ------------------------------------------------------------------------------
# Each input serializer only parses and narrows choices to the user's scope; the rules
# are the services' (the views pass ``validated_data`` on as keyword arguments).


def _user(serializer: serializers.Serializer):
    return serializer.context["request"].user


class _ScopedInput(serializers.Serializer):
    """An input whose related choices are narrowed to what the requesting user may name."""

    def scope_fields(self, user) -> None:
        """Narrow the related fields' querysets to ``user``'s scope."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            self.scope_fields(_user(self))


class ProblemFieldsInput(_ScopedInput):
    """A problem's own fields (create and edit share them)."""

    target = serializers.PrimaryKeyRelatedField(queryset=Target.objects.none())
    description = serializers.CharField()
    source = serializers.ChoiceField(choices=Source.choices, default=Source.OTHER)
    level = serializers.ChoiceField(choices=Level.choices, default=Level.UNIT)
    found_on = serializers.DateField(required=False)
    concerned_person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), required=False, allow_null=True
    )
    root_cause = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX_LENGTH, help_text=REASON_HELP
    )

    def scope_fields(self, user) -> None:
        self.fields["target"].queryset = Target.objects.filter(
            campaign__in=campaigns_visible_to(user)
        )
        self.fields["concerned_person"].queryset = persons_for(user)


class ProblemCreateInput(ProblemFieldsInput):
    """A new problem of a unit the user administers, in a campaign it takes part in."""

    campaign = serializers.SlugRelatedField(slug_field="slug", queryset=Campaign.objects.none())
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none())

    def scope_fields(self, user) -> None:
        super().scope_fields(user)
        self.fields["campaign"].queryset = campaigns_visible_to(user)
        self.fields["unit"].queryset = units_visible_to(user, action=CHANGE)


class ProblemUpdateInput(ProblemFieldsInput):
    """A change of a problem: only the fields given change; ``expected_version`` is required."""

    expected_version = serializers.IntegerField(
        min_value=1, help_text="The version read; a newer save refuses the change (409)."
    )


class MeasureFieldsInput(_ScopedInput):
    """A measure's own fields and who answers for it."""

    content = serializers.CharField()
    expected_outcome = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=MeasureKind.choices, default=MeasureKind.DEADLINE)
    deadline = serializers.DateField(required=False, allow_null=True)
    responsible_leader = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), required=False, allow_null=True
    )
    responsible_department = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(), required=False, allow_null=True
    )
    responsible_persons = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), many=True
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX_LENGTH, help_text=REASON_HELP
    )

    def scope_fields(self, user) -> None:
        persons = persons_for(user)
        self.fields["responsible_leader"].queryset = persons
        self.fields["responsible_department"].queryset = units_visible_to(user)
        self.fields["responsible_persons"].child_relation.queryset = persons


class MeasureCreateInput(MeasureFieldsInput):
    """A new measure of a problem the user administers."""

    problem = serializers.PrimaryKeyRelatedField(queryset=Problem.objects.none())

    def scope_fields(self, user) -> None:
        super().scope_fields(user)
        self.fields["problem"].queryset = problems_visible_to(user)


class MeasureUpdateInput(MeasureFieldsInput):
    """A change of a measure: only the fields given change; ``expected_version`` is required."""

    expected_version = serializers.IntegerField(
        min_value=1, help_text="The version read; a newer save refuses the change (409)."
    )


class MeasureStatusInput(serializers.Serializer):
    """An administrator's correction of a measure's status."""

    status = serializers.ChoiceField(choices=MeasureStatus.choices)
    expected_version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX_LENGTH, help_text=REASON_HELP
    )


#: The most evidence files one request may carry.
MAX_FILES = 20


def _files_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_FILES,
        help_text="Evidence files (multipart/form-data); checked as on the measure's page.",
    )


class ProgressInput(serializers.Serializer):
    """A progress report, with evidence files when sent as multipart/form-data."""

    text = serializers.CharField()
    reported_on = serializers.DateField(required=False)
    files = _files_field()


class SubmitInput(serializers.Serializer):
    """A measure reported done (整改完成情况), for acceptance."""

    statement = serializers.CharField()
    expected_version = serializers.IntegerField(min_value=1)
    files = _files_field()
    no_evidence_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Only when no evidence file exists."
    )
    mechanism = serializers.CharField(
        required=False, allow_blank=True, help_text="Required for a long-term measure."
    )


class DecisionInput(serializers.Serializer):
    """A reviewer's decision: confirm, accept, send back or reopen."""

    action = serializers.ChoiceField(
        choices=[(a, label) for a, label in ReviewAction.choices if a != ReviewAction.SUBMIT]
    )
    text = serializers.CharField(
        required=False, allow_blank=True, help_text="Opinion, or the reason to send back or reopen."
    )
    expected_version = serializers.IntegerField(min_value=1)


class ExtensionRequestInput(serializers.Serializer):
    """A request for a later deadline (延期申请)."""

    new_deadline = serializers.DateField()
    reason = serializers.CharField()


class ExtensionDecisionInput(serializers.Serializer):
    """The approver's decision on a pending deadline change."""

    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True)
    expected_version = serializers.IntegerField(
        min_value=1, help_text="The measure's version read."
    )


class UrgeInput(serializers.Serializer):
    """An urge: what the responsible persons are pressed to do."""

    message = serializers.CharField(max_length=2000)
