"""Checks on uploaded images (announcements, partners' logos): the type comes from the bytes, never
from the name, and the pixel size is read from the file's header before anything else.

Only raster formats a kiosk browser shows safely are kept. SVG is refused: it can carry scripts
and external references, and neither a lobby poster nor a logo on paper needs it.
"""

from __future__ import annotations

from quartier.errors import Problem
from quartier.i18n import N_

MAX_IMAGE_BYTES = 800 * 1024  # under the server's default 1 MB body limit, with room for the form
# A small file can announce a huge picture (a 60000×60000 PNG compresses to kilobytes): the kiosk
# browser of a Raspberry Pi would try to decode it. The size is read from the header, before anything.
MAX_SIDE = 5000
MAX_PIXELS = 20_000_000

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
            size = dimensions(extension, data)
            if size is None:
                raise Problem(422, "invalid_field", N_("Cette image est illisible : enregistrez-la à nouveau."))
            width, height = size
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                raise Problem(
                    413, "too_large", N_("L'image est trop grande : {max} pixels de côté au plus."), max=MAX_SIDE
                )
            return extension, content_type
    raise Problem(
        415, "unsupported_media_type", N_("Image refusée : envoyez un fichier PNG, JPEG, WebP ou GIF (pas de SVG).")
    )


def dimensions(extension: str, data: bytes) -> tuple[int, int] | None:
    """(width, height) read from the image's header, or None when the header cannot be read."""
    if extension == "png":
        size: tuple[int, int] | None = (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"))
    elif extension == "gif":
        size = int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    elif extension == "webp":
        size = _webp(data)
    else:
        size = _jpeg(data)
    return size if size and size[0] > 0 and size[1] > 0 else None  # a header cut short reads as 0


def _webp(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    return None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    """The frame's size, from the first start-of-frame marker (SOF0 to SOF15 but DHT, JPG and DAC)."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None
