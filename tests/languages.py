"""Run a piece of code as a reader of one language would see it (catalogues loaded)."""

from collections.abc import Callable
from typing import TypeVar

from quartier import features, i18n

T = TypeVar("T")


def in_language(lang: str, fn: Callable[[], T]) -> T:
    i18n.load_catalogues(features.packages())
    token = i18n.current_language.set(lang)
    try:
        return fn()
    finally:
        i18n.current_language.reset(token)
