"""Text that XML can hold: what the Atom feed, the sitemap, the SVG charts and the ODT export write.

XML 1.0 forbids most control characters and U+FFFE/U+FFFF: one of them in a cancellation's reason
made `/changes.atom` stop being XML for every feed reader. Every XML writer cleans its text here.
"""

from __future__ import annotations

import re
from xml.sax import saxutils

_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """The text without the characters XML 1.0 forbids."""
    return _FORBIDDEN.sub("", text)


def escape(text: str) -> str:
    """Element content: cleaned, then `&`, `<` and `>` escaped."""
    return saxutils.escape(clean(text))


def quoteattr(text: str) -> str:
    """An attribute value with its quotes: cleaned and escaped."""
    return saxutils.quoteattr(clean(text))
