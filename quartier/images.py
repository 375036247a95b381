"""Checks on uploaded images (announcements, partners' logos): the type comes from the bytes, never
from the name, and the pixel size is read from the file's header.

Only raster formats a kiosk browser shows safely are kept. SVG is refused: it can carry scripts
and external references, and neither a lobby poster nor a logo on paper needs it.
"""

from __future__ import annotations

import struct

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


def dimensions(data: bytes, extension: str) -> tuple[int, int] | None:
    """(width, height) in pixels from the header of an image `sniff` accepted; None when unreadable."""
    try:
        if extension == "png" and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if extension == "gif":
            return struct.unpack("<HH", data[6:10])
        if extension == "webp":
            return _webp_size(data)
        if extension == "jpg":
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L" and data[20:21] == b"\x2f":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


# JPEG start-of-frame markers (baseline, progressive, …): the frame header holds the size.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None
