"""Uploaded images: verified with Pillow and re-encoded, so only pixels reach the site."""

import io
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp")
#: Larger pictures are refused before their pixels are decoded (decompression bombs).
MAX_PIXELS = 40_000_000


def is_image_name(name: str) -> bool:
    """True when ``name`` has an image extension."""
    return PurePath(name or "").suffix.lower().lstrip(".") in IMAGE_EXTENSIONS


def reencode_image(upload: UploadedFile) -> SimpleUploadedFile:
    """``upload`` decoded and written again as PNG (with transparency) or JPEG, metadata dropped.

    Raises :class:`ValidationError` for files over ``RECTIFY_NEWS_IMAGE_MAX_BYTES``,
    files that are not images, and pictures of more than :data:`MAX_PIXELS`.
    """
    limit = settings.RECTIFY_NEWS_IMAGE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; images may be at most %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
            code="too_large",
        )
    not_image = ValidationError(
        _("“%(name)s” is not an image (JPEG, PNG, GIF or WebP).") % {"name": upload.name},
        code="not_image",
    )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _("“%(name)s” has too many pixels.") % {"name": upload.name}, code="too_large"
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.seek(0)
            image.load()
            keeps_alpha = image.mode in ("RGBA", "LA", "P", "PA") or image.format in ("PNG", "GIF")
            out = io.BytesIO()
            if keeps_alpha:
                image.convert("RGBA").save(out, "PNG", optimize=True)
                suffix, content_type = ".png", "image/png"
            else:
                image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
                suffix, content_type = ".jpg", "image/jpeg"
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise not_image from None
    name = (PurePath(upload.name or "image").stem or "image")[:200] + suffix
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)
