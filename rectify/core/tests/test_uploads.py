"""An uploaded file is stored only up to the cap, whatever the size of the body sent."""

from django.test import RequestFactory

from rectify.core.uploads import BoundedUploadHandler


def test_an_oversized_file_is_cut_at_the_cap_but_keeps_its_full_size(settings):
    settings.RECTIFY_UPLOAD_MAX_BYTES = 1000
    handler = BoundedUploadHandler(RequestFactory().post("/"))
    handler.new_file("file", "huge.xlsx", "application/octet-stream", 5000)
    sent = 0
    for chunk in (b"a" * 700, b"b" * 700, b"c" * 3600):
        handler.receive_data_chunk(chunk, sent)
        sent += len(chunk)
    upload = handler.file_complete(sent)
    stored = upload.read()
    assert len(stored) == 1000  # never more than the cap on disk
    assert stored == b"a" * 700 + b"b" * 300
    assert upload.size == 5000  # the receiver's own size check sees the real size
    upload.close()


def test_a_file_within_the_cap_is_stored_whole(settings):
    settings.RECTIFY_UPLOAD_MAX_BYTES = 1000
    handler = BoundedUploadHandler(RequestFactory().post("/"))
    handler.new_file("file", "small.csv", "text/csv", 600)
    handler.receive_data_chunk(b"x" * 600, 0)
    upload = handler.file_complete(600)
    assert (upload.read(), upload.size) == (b"x" * 600, 600)
    upload.close()
