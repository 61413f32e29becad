"""URLs under /api/: the REST API (/api/v1/, namespace ``api-v1``), its schema and docs, and
the API tokens page (namespace ``api``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from .views import ledger, org, stages, tokens

router = DefaultRouter()
router.include_root_view = False
router.register("units", org.UnitViewSet, basename="unit")
router.register("people", org.PersonViewSet, basename="person")
router.register("campaigns", org.CampaignViewSet, basename="campaign")
router.register("targets", org.TargetViewSet, basename="target")
router.register("problems", ledger.ProblemViewSet, basename="problem")
router.register("measures", ledger.MeasureViewSet, basename="measure")
router.register("progress-notes", ledger.ProgressNoteViewSet, basename="progress-note")
router.register("evidence", ledger.EvidenceViewSet, basename="evidence")
router.register("reviews", ledger.ReviewViewSet, basename="review")
router.register("urges", ledger.UrgeViewSet, basename="urge")
router.register("extension-requests", ledger.ExtensionRequestViewSet, basename="extension")
router.register("findings", stages.FindingViewSet, basename="finding")
router.register("opinions", stages.OpinionViewSet, basename="opinion")
router.register("meetings", stages.MeetingViewSet, basename="meeting")
router.register("attendance", stages.AttendanceViewSet, basename="attendance")
router.register("surveys", stages.SurveyViewSet, basename="survey")

page_patterns = [
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

# The REST endpoints have their own namespace: their scoping is walked by
# rectify/api/tests/test_scoping.py (every list and detail), the pages' by
# rectify/tests/test_url_scoping.py.
urlpatterns = [
    path("v1/", include((router.urls, "api-v1"))),
    path("", include((page_patterns, "api"))),
]
