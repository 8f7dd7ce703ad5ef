"""Lesson images: uploads checked, shrunk and re-encoded by Pillow; served beside content's."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from server.errors import UserError
from server.i18n import N_

MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # what a phone photo may weigh before we shrink it
MAX_PIXELS = 40_000_000  # larger than any phone camera; refuses decompression bombs
MAX_SIDE = 1200  # pixels: wide enough for a laptop, small enough for a 2 GB phone
TARGET_BYTES = 250 * 1024  # what one stored image may weigh on members' phones
_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
_ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


class ImageRefused(UserError):
    """The upload is not an image we accept; `msgid` says why, `params` fill it in."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid, "image", params=params)


def uploads_dir(data_dir: Path) -> Path:
    """Where uploaded lesson images are kept (the data folder, beside the database)."""
    return data_dir / "media" / "lessons"


def store_image(data: bytes, data_dir: Path) -> str:
    """Check, shrink and save an uploaded image; return its file name (use it as images/<name>)."""
    if not data:
        raise ImageRefused(N_("Choose a picture to upload."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageRefused(
            N_("This picture is too large (%(size)s MB). Choose one under %(limit)s MB."),
            size=round(len(data) / 1024 / 1024, 1),
            limit=MAX_UPLOAD_BYTES // 1024 // 1024,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in _ACCEPTED_FORMATS:
                raise UnidentifiedImageError(image.format)
            if image.width * image.height > MAX_PIXELS:
                raise Image.DecompressionBombError(str(image.size))
            if image.format == "JPEG":
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at 1/2, 1/4 or 1/8 scale
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused(
            N_("This file is not a picture we can use. Choose a JPEG, PNG or WebP photo.")
        ) from None
    except (OSError, ValueError, SyntaxError):
        raise ImageRefused(N_("This picture is damaged. Choose another one.")) from None
    encoded = _shrink(image)
    name = hashlib.sha256(encoded).hexdigest()[:20] + ".webp"
    folder = uploads_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(encoded)
    return name


def _shrink(image: Image.Image) -> bytes:
    """Turn upright, drop metadata (GPS!), fit in MAX_SIDE, WebP under TARGET_BYTES if we can."""
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    encoded = b""
    for quality in (80, 65, 50, 35):
        buffer = io.BytesIO()
        image.save(buffer, "WEBP", quality=quality, method=4)
        encoded = buffer.getvalue()
        if len(encoded) <= TARGET_BYTES:
            break
    return encoded


def find_image(name: str, data_dir: Path, content_dir: Path) -> Path | None:
    """The file behind /media/lessons/<name>: an upload, else one of content/lessons/images."""
    if not _NAME.match(name) or name.startswith("."):
        return None
    for folder in (uploads_dir(data_dir), content_dir / "lessons" / "images"):
        path = folder / name
        if path.is_file():
            return path
    return None
