"""Uploaded files: stored only up to a cap, checked against the allow-list, kept with
their hash under a neutral name, and served back only by views that checked scope.

Every app that keeps files (the ledger's evidence, research reports) goes
through these helpers, so that one limit, one allow-list and one way of
storing and serving apply everywhere.
"""

import hashlib
import mimetypes
from collections.abc import Callable, Sequence
from pathlib import PurePath
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import models
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class BoundedUploadHandler(TemporaryFileUploadHandler):
    """Write at most ``RECTIFY_UPLOAD_MAX_BYTES`` of each uploaded file to disk.

    The rest of an oversized file is read and dropped, but its full length is
    still counted into ``size``, so the size check of whatever receives the file
    (evidence, ledger import) refuses it with its own clear message: a client
    cannot fill the disk or memory by sending a huge body, and a truncated file
    is never mistaken for a whole one.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.limit = settings.RECTIFY_UPLOAD_MAX_BYTES

    def receive_data_chunk(self, raw_data, start):
        if start < self.limit:
            self.file.write(raw_data[: self.limit - start])
        return None


def validate_evidence_file(upload: UploadedFile) -> None:
    """Refuse files over the size limit or of a type not on the allow-list."""
    limit = settings.RECTIFY_EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the limit is %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
            code="too_large",
        )
    suffix = PurePath(upload.name or "").suffix.lower().lstrip(".")
    if suffix not in settings.RECTIFY_EVIDENCE_EXTENSIONS:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type. Accepted: %(types)s.")
            % {"name": upload.name, "types": ", ".join(settings.RECTIFY_EVIDENCE_EXTENSIONS)},
            code="file_type",
        )


def validate_evidence_files(uploads: Sequence[UploadedFile], *, field: str = "files") -> None:
    """Check every upload; all refusals at once, under ``field``, so the form shows each."""
    errors = []
    for upload in uploads:
        try:
            validate_evidence_file(upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({field: errors})


def sha256_of(upload: UploadedFile) -> str:
    """The upload's SHA-256, read in chunks; the file is rewound for saving."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


M = TypeVar("M", bound=models.Model)


def store_uploads(uploads: Sequence[UploadedFile], new_row: Callable[..., M]) -> list[M]:
    """Save each (already validated) upload as ``new_row(**facts)`` with its file.

    ``facts`` are the original name, size, content type and hash; the row's
    ``upload_to`` names the stored file from the hash. Call it inside the
    caller's transaction, last: the rows roll back with it, and if storing
    fails here the files already written are deleted too.
    """
    stored: list[M] = []
    try:
        for upload in uploads:
            row = new_row(
                original_name=PurePath(upload.name).name[:255],
                size=upload.size,
                # From the accepted extension, never from what the browser claims.
                content_type=mimetypes.guess_type(upload.name)[0] or "application/octet-stream",
                sha256=sha256_of(upload),
            )
            row.file.save(upload.name, upload, save=False)
            stored.append(row)
            row.save()
    except BaseException:
        for row in stored:
            row.file.delete(save=False)
        raise
    return stored


def stored_file_response(row) -> FileResponse:
    """A stored file as an attachment under its original name (the caller checked scope)."""
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=row.original_name,
        content_type=row.content_type or "application/octet-stream",
    )
