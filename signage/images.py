"""Checks on uploaded announcement images: the type comes from the bytes, never from the name.

Only raster formats a kiosk browser shows safely are kept. SVG is refused: it can
carry scripts and external references, and a lobby poster does not need it.
"""

from __future__ import annotations

from quartier.errors import Problem
from quartier.i18n import N_

MAX_IMAGE_BYTES = 800 * 1024  # under the server's default 1 MB body limit, with room for the form

# (extension, content type, test on the first bytes)
_FORMATS = (
    ("png", "image/png", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n")),
    ("jpg", "image/jpeg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ("webp", "image/webp", lambda b: len(b) >= 12 and b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
    ("gif", "image/gif", lambda b: b[:6] in (b"GIF87a", b"GIF89a")),
)


def sniff(data: bytes) -> tuple[str, str]:
    """(extension, content type) of an accepted image, or a 413/415 Problem."""
    if len(data) > MAX_IMAGE_BYTES:
        raise Problem(413, "too_large", N_("L'image dépasse {max} Ko."), max=MAX_IMAGE_BYTES // 1024)
    if not data:
        raise Problem(422, "invalid_field", N_("L'image envoyée est vide."))
    for extension, content_type, test in _FORMATS:
        if test(data):
            return extension, content_type
    raise Problem(
        415, "unsupported_media_type", N_("Image refusée : envoyez un fichier PNG, JPEG, WebP ou GIF (pas de SVG).")
    )
