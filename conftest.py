"""Project-wide pytest configuration."""

import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Evidence files of a test go to a temporary folder, never into the checkout."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    settings.MEDIA_ROOT = tmp_path / "private"
