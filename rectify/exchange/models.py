"""Imports and exports that run in the background, with the progress the page polls."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    DOCUMENT = "document", _("Word document")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """One import or export: who asked, for what, how far it got, and its files.

    ``params`` holds what the job needs (campaign slug, unit id, list, filter
    query string, column mapping …); ``result`` what it reports (counts, row
    errors). Files are private media served only to the job's owner.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=JobKind)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus, default=JobStatus.PENDING
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="exchange_jobs",
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    source = models.FileField(_("uploaded file"), upload_to="exchange/in/%Y/%m/", blank=True)
    source_name = models.CharField(_("file name"), max_length=255, blank=True)
    output = models.FileField(_("result file"), upload_to="exchange/out/%Y/%m/", blank=True)
    output_name = models.CharField(_("result file name"), max_length=255, blank=True)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows in all"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import or export job")
        verbose_name_plural = _("import and export jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="exchange_job_owner")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        """How far the job got, 0–100."""
        if self.status == JobStatus.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
