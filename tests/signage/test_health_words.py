"""A screen's heartbeat in words on the staff pages, in each language (issue 23)."""

from signage import health
from tests.languages import in_language


def test_a_screen_that_has_just_started_says_so_and_the_others_say_how_long():
    browser = {"agent": "browser", "uptime": 2}
    assert in_language("fr", lambda: health.describe(browser)) == [
        "navigateur seul (sans agent Raspberry Pi)",
        "démarré à l'instant",
    ]
    assert in_language("en", lambda: health.describe(browser))[1] == "just started"
    pi = {"agent": "displays", "agent_version": "1.4", "uptime": 3 * 3600 + 60, "temperature": 51.26}
    assert in_language("fr", lambda: health.describe(pi)) == [
        "agent Raspberry Pi, version 1.4",
        "en marche depuis 3\u00a0heures",
        "51,3 °C",
    ]
    assert in_language("en", lambda: health.describe(pi))[1:] == ["running for 3 hours", "51.3 °C"]
