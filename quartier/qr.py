"""QR codes as SVG (inline in pages and on paper) and PNG (for download), from one matrix."""

from __future__ import annotations

import functools
import io

import qrcode
import qrcode.constants
from qrcode.image.pure import PyPNGImage

from quartier.xmltext import quoteattr


def _code(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


@functools.lru_cache(maxsize=256)
def qr_svg(data: str, *, label: str = "") -> str:
    """A QR code as a standalone SVG element: one path, no styles, so a strict CSP allows it.

    Kept for the next page that shows the same link: drawing one took two thirds of
    the forum wall's rendering (issue 11).
    """
    matrix = _code(data).get_matrix()
    size = len(matrix)
    path = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                path.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    title = label or data
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges" role="img" aria-label={quoteattr(title)}>'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{"".join(path)}" fill="#000"/></svg>'
    )


def qr_png(data: str, *, box_size: int = 10) -> bytes:
    code = _code(data)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(image_factory=PyPNGImage).save(buffer)
    return buffer.getvalue()
