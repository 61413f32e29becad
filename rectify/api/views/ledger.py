"""The ledger in the user's scope; every write goes through the ledger's services."""

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from rectify.core.uploads import stored_file_response
from rectify.ledger import services
from rectify.ledger.filters import MeasureFilter, ProblemFilter
from rectify.ledger.models import (
    Evidence,
    ExtensionRequest,
    ProgressNote,
    Review,
    Urge,
)
from rectify.ledger.report import attach_last_urged
from rectify.ledger.selectors import MEASURE_SORT, measures_visible_to, problems_visible_to
from rectify.org.scoping import visible_to

from ..filters import ByMeasureFilter, EvidenceFilter, ExtensionFilter
from ..serializers.ledger import (
    DecisionInput,
    EvidenceSerializer,
    ExtensionDecisionInput,
    ExtensionRequestInput,
    ExtensionRequestSerializer,
    MeasureCreateInput,
    MeasureSerializer,
    MeasureStatusInput,
    MeasureUpdateInput,
    ProblemCreateInput,
    ProblemSerializer,
    ProblemUpdateInput,
    ProgressInput,
    ProgressNoteSerializer,
    ReviewSerializer,
    SubmitInput,
    UrgeInput,
    UrgeSerializer,
)
from .base import ScopedReadViewSet


def _parsed(serializer_class, request: Request, *, partial: bool = False) -> dict:
    """The request body parsed and narrowed to the user's scope (400 with field errors)."""
    serializer = serializer_class(data=request.data, partial=partial, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _versioned(data: dict) -> tuple[int, str, dict]:
    """``(expected_version, reason, fields)`` of an edit; the version is required."""
    if "expected_version" not in data:
        raise exceptions.ValidationError(
            {"expected_version": [_("Give the version you read (its “version” field).")]}
        )
    version = data.pop("expected_version")
    return version, data.pop("reason", ""), data


class _Writable(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet):
    """A ledger resource that is also created and changed (PATCH only: no blind overwrite)."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        """The object as it now stands, re-read through the scoped selector."""
        (obj,) = self.prepare([self.get_queryset().get(pk=pk)])
        return Response(self.get_serializer(obj).data, status=code)


class ProblemViewSet(_Writable):
    """Problems (问题清单), filtered exactly as the problem list (same FilterSet)."""

    serializer_class = ProblemSerializer
    filterset_class = ProblemFilter
    ordering_fields = ["id", "found_on", "unit__path", "updated_at"]
    # Without ?ordering= the rows come in the list page's order (its ?o= included).
    ordering = None

    def scoped_queryset(self, user) -> QuerySet:
        return problems_visible_to(user)

    @extend_schema(request=ProblemCreateInput, responses={201: ProblemSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Record a problem (``problem_create``): a unit you administer, in its campaign."""
        data = _parsed(ProblemCreateInput, request)
        problem = services.problem_create(acting_user=request.user, **data)
        return self.answer(problem.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ProblemUpdateInput, responses={200: ProblemSerializer})
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        """Change a problem (``problem_update``); a stale ``expected_version`` answers 409."""
        problem = self.get_object()
        version, reason, fields = _versioned(_parsed(ProblemUpdateInput, request, partial=True))
        services.problem_update(
            problem=problem,
            expected_version=version,
            reason=reason,
            acting_user=request.user,
            **fields,
        )
        return self.answer(problem.pk)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args, **kwargs) -> Response:
        raise exceptions.MethodNotAllowed(request.method)


class MeasureViewSet(_Writable):
    """Measures (整改清单), filtered exactly as the measure list (same FilterSet)."""

    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter
    ordering_fields = ["id", "deadline", "status", "unit__path", "updated_at"]
    ordering = None
    sort_rules = MEASURE_SORT

    def scoped_queryset(self, user) -> QuerySet:
        return measures_visible_to(user)

    def prepare(self, rows: list) -> list:
        """When the urged measures of the page were last urged (one query at most, as the page)."""
        return attach_last_urged(rows)

    @extend_schema(request=MeasureCreateInput, responses={201: MeasureSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Add a measure to a problem (``measure_create``) with the persons who answer for it."""
        data = _parsed(MeasureCreateInput, request)
        measure = services.measure_create(acting_user=request.user, **data)
        return self.answer(measure.pk, status.HTTP_201_CREATED)

    @extend_schema(request=MeasureUpdateInput, responses={200: MeasureSerializer})
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        """Change a measure (``measure_update``); a stale ``expected_version`` answers 409."""
        measure = self.get_object()
        version, reason, fields = _versioned(_parsed(MeasureUpdateInput, request, partial=True))
        services.measure_update(
            measure=measure,
            expected_version=version,
            reason=reason,
            acting_user=request.user,
            **fields,
        )
        return self.answer(measure.pk)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args, **kwargs) -> Response:
        raise exceptions.MethodNotAllowed(request.method)

    @extend_schema(request=MeasureStatusInput, responses={200: MeasureSerializer})
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request: Request, pk=None) -> Response:
        """Set the status (``measure_set_status``): administrators, as on the measure's page."""
        measure = self.get_object()
        data = _parsed(MeasureStatusInput, request)
        services.measure_set_status(measure=measure, acting_user=request.user, **data)
        return self.answer(measure.pk)

    @extend_schema(request=ProgressInput, responses={201: ProgressNoteSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk=None) -> Response:
        """Report progress (``progress_record``): responsible persons and administrators."""
        measure = self.get_object()
        data = _parsed(ProgressInput, request)
        note = services.progress_record(
            measure=measure, acting_user=request.user, files=data.pop("files", []), **data
        )
        notes = ProgressNote.objects.select_related("author").prefetch_related("evidence")
        body = ProgressNoteSerializer(notes.get(pk=note.pk))
        return Response(body.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SubmitInput, responses={201: ReviewSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk=None) -> Response:
        """Report the measure done, for acceptance (``measure_submit``): responsible persons."""
        measure = self.get_object()
        data = _parsed(SubmitInput, request)
        review = services.measure_submit(
            measure=measure, acting_user=request.user, files=data.pop("files", []), **data
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionInput, responses={201: ReviewSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk=None) -> Response:
        """Confirm, accept, send back or reopen (the sign-off workflow's services)."""
        measure = self.get_object()
        data = _parsed(DecisionInput, request)
        review = services.measure_decide(
            measure=measure,
            action=data["action"],
            text=data.get("text", ""),
            expected_version=data["expected_version"],
            acting_user=request.user,
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ExtensionRequestInput, responses={201: ExtensionRequestSerializer})
    @action(detail=True, methods=["post"], url_path="extension-request")
    def extension_request(self, request: Request, pk=None) -> Response:
        """Ask for a later deadline (``extension_request``)."""
        measure = self.get_object()
        extension = services.extension_request(
            measure=measure, acting_user=request.user, **_parsed(ExtensionRequestInput, request)
        )
        body = ExtensionRequestSerializer(extension)
        return Response(body.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UrgeInput, responses={201: UrgeSerializer})
    @action(detail=True, methods=["post"])
    def urge(self, request: Request, pk=None) -> Response:
        """Urge the measure (``measure_urge``): its leaders and guidance group."""
        measure = self.get_object()
        urge = services.measure_urge(
            measure=measure, acting_user=request.user, **_parsed(UrgeInput, request)
        )
        return Response(UrgeSerializer(urge).data, status=status.HTTP_201_CREATED)


def _of_live_measures(model, user) -> QuerySet:
    """Rows of ``model`` hanging on a measure: those of live measures the user may see."""
    return visible_to(model.objects.filter(measure__deleted_at__isnull=True), user)


class ProgressNoteViewSet(ScopedReadViewSet):
    """Progress notes (整改进展) of the measures the user may see."""

    serializer_class = ProgressNoteSerializer
    filterset_class = ByMeasureFilter
    ordering_fields = ["id", "reported_on", "created_at"]
    ordering = ["-reported_on", "-id"]

    def scoped_queryset(self, user) -> QuerySet:
        notes = _of_live_measures(ProgressNote, user)
        return notes.select_related("author").prefetch_related("evidence")


class AnyAccept(BaseContentNegotiation):
    """A download answers whatever the client accepts: the file, or a JSON error."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class EvidenceViewSet(ScopedReadViewSet):
    """Evidence metadata (佐证材料); the files download after the same scope check."""

    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter
    ordering_fields = ["id", "created_at", "size"]

    def scoped_queryset(self, user) -> QuerySet:
        alive = Evidence.objects.filter(note__measure__deleted_at__isnull=True)
        return visible_to(alive, user).select_related("note")

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        content_negotiation_class=AnyAccept,
    )
    def download(self, request: Request, pk=None) -> FileResponse:
        """The evidence file itself, as an attachment under its original name."""
        return stored_file_response(self.get_object())


class ReviewViewSet(ScopedReadViewSet):
    """Sign-off steps (销号): submissions, confirmations, acceptances, send-backs."""

    serializer_class = ReviewSerializer
    filterset_class = ByMeasureFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["created_at", "id"]

    def scoped_queryset(self, user) -> QuerySet:
        return _of_live_measures(Review, user)


class UrgeViewSet(ScopedReadViewSet):
    """Urges (催办) on the measures the user may see."""

    serializer_class = UrgeSerializer
    filterset_class = ByMeasureFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-created_at", "-id"]

    def scoped_queryset(self, user) -> QuerySet:
        return _of_live_measures(Urge, user)


class ExtensionRequestViewSet(ScopedReadViewSet):
    """Deadline change requests (延期申请) and their decisions."""

    serializer_class = ExtensionRequestSerializer
    filterset_class = ExtensionFilter
    ordering_fields = ["id", "created_at", "new_deadline"]
    ordering = ["-created_at", "-id"]

    def scoped_queryset(self, user) -> QuerySet:
        return _of_live_measures(ExtensionRequest, user).select_related("measure")

    @extend_schema(request=ExtensionDecisionInput, responses={200: ExtensionRequestSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request: Request, pk=None) -> Response:
        """Approve (the deadline moves) or refuse a pending request (``extension_decide``)."""
        extension = self.get_object()
        data = _parsed(ExtensionDecisionInput, request)
        extension = services.extension_decide(request=extension, acting_user=request.user, **data)
        return Response(ExtensionRequestSerializer(extension).data)
