"""Lead image renditions: a few widths, so phones download small files and desktops sharp ones."""

from __future__ import annotations

import io
import logging
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from PIL import Image, UnidentifiedImageError

logger = logging.getLogger(__name__)

WIDTHS = (480, 960, 1600)


def rendition_key(image: FieldFile) -> str:
    return image.name or ""


def make_renditions(image: FieldFile) -> dict:
    """Write JPEG renditions of ``image`` at each width in WIDTHS (never upscaled).

    Returns ``{"key": <source name>, "sizes": [{"width", "height", "name"}, ...]}``; an empty
    or unreadable image gives no sizes, so the page falls back to the original file.
    """
    if not image:
        return {}
    try:
        image.open("rb")
        with Image.open(image) as source:
            source = source.convert("RGB")
            stem = PurePosixPath(image.name).with_suffix("")
            sizes = []
            # Every width that fits, then the original width once if it lies between two.
            wanted = sorted({min(width, source.width) for width in WIDTHS})
            for width in wanted:
                height = round(source.height * width / source.width)
                copy = source.resize((width, height), Image.Resampling.LANCZOS)
                buffer = io.BytesIO()
                copy.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
                name = default_storage.save(
                    f"renditions/{stem}-{width}w.jpg", ContentFile(buffer.getvalue())
                )
                sizes.append({"width": width, "height": height, "name": name})
    except (OSError, UnidentifiedImageError, ValueError):
        logger.warning("Could not make renditions of %s", image.name, exc_info=True)
        return {"key": image.name, "sizes": []}
    finally:
        image.close()
    return {"key": image.name, "sizes": sizes}


def srcset(renditions: dict) -> str:
    return ", ".join(
        f"{default_storage.url(size['name'])} {size['width']}w"
        for size in renditions.get("sizes", [])
    )


def url_for_width(image: FieldFile, renditions: dict, width: int) -> str:
    if not image:
        return ""
    sizes = renditions.get("sizes", [])
    for size in sizes:
        if size["width"] >= width:
            return default_storage.url(size["name"])
    return default_storage.url(sizes[-1]["name"]) if sizes else image.url
