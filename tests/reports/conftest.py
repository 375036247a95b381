"""Fixtures of the forum's tests that the minutes and decision records build on."""

from tests.forum.conftest import post_board, pre_board  # noqa: F401  (fixtures)
