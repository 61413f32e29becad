"""Uploads are stored only up to a cap, however large the body a client sends."""

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


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
