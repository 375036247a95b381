"""Domain errors that views turn into HTTP answers in the user's language."""

from __future__ import annotations

from typing import Any


class Problem(Exception):
    """A refusal the user should read: an HTTP status, a stable code and a French message.

    The message is a msgid (mark it with N_); it is translated when rendered, with
    `params` filled in, so the same error reads right in every language.
    """

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None, **params: Any):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.params = params
        self.headers = headers or {}


def not_found(message: str = "Cette page n'existe pas.", **params: Any) -> Problem:
    return Problem(404, "not_found", message, **params)


def invalid(message: str, **params: Any) -> Problem:
    return Problem(400, "invalid", message, **params)
