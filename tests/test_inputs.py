"""The one input layer (issue 15, point 4): every bound, both ways of meeting problems, messages in both
languages, and the JSON reader's refusals over HTTP."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from multidict import MultiDict

from quartier import features, i18n
from quartier.app import create_app
from quartier.errors import Problem
from quartier.inputs import INT64_MAX, INT64_MIN, MAX_DEPTH, Fields, Invalid, depth, path_id, query, read_json
from quartier.routing import PUBLIC, Routes

PARIS = ZoneInfo("Europe/Paris")


def refusal(data: object, read, **kw) -> Problem:
    """The Problem raised when reading one field of data (API style)."""
    with pytest.raises(Problem) as e:
        read(Fields(data, **kw))
    return e.value


def shown(p: Problem, language: str) -> str:
    """The message as the error middleware renders it, in a language."""
    i18n.load_catalogues(features.packages())
    token = i18n.current_language.set(language)
    try:
        return i18n.gettext(p.message).format(**p.params)
    finally:
        i18n.current_language.reset(token)


# -- text


def test_text_is_cleaned_then_measured():
    f = Fields({"t": "  a\u202e\x00b\r\n  c  ", "m": "ligne 1\r\nligne 2\u2066", "e": "\u0301e\u0301"})
    assert f.text("t", max_length=14) == "ab c"  # 14 sent: the form's CRLF counts once
    assert f.text("m", max_length=20, multiline=True) == "ligne 1\nligne 2"
    assert f.text("e", max_length=5) == "\u0301é"  # NFC: e + combining acute is one character
    assert f.text("absent", max_length=5, default="x") == "x"
    too_long = refusal({"t": "x" * 11}, lambda f: f.text("t", max_length=10))
    assert (too_long.status, too_long.code, too_long.params) == (
        422,
        "too_long",
        {"field": "t", "max": 10, "count": 11},
    )
    # The limit counts what was sent, as the API document's maxLength does, even when cleaning shortens it.
    sent_too_long = refusal({"t": "\x9d" + "x" * 10}, lambda f: f.text("t", max_length=10))
    assert (sent_too_long.code, sent_too_long.params["count"]) == ("too_long", 11)


@pytest.mark.parametrize("value", ["", "   ", "\x00\u202e", None])
def test_a_blank_required_text_is_missing(value):
    p = refusal({"t": value}, lambda f: f.text("t", max_length=10, required=True))
    assert p.code == "missing_field"
    assert shown(p, "fr") == "Le champ « t » est obligatoire."
    assert shown(p, "en") == "The field “t” is required."


@pytest.mark.parametrize("value", [3, 1.5, True, [], {"a": 1}])
def test_text_refuses_other_types_unless_yaml_numbers_are_text(value):
    assert refusal({"t": value}, lambda f: f.text("t", max_length=10)).code == "invalid_field"
    if not isinstance(value, (bool, list, dict)):
        assert Fields({"t": value}, numbers_as_text=True).text("t", max_length=10) == str(value)


def test_a_pattern_and_a_replaced_message_by_kind():
    say = {"pattern": "Identifiant en minuscules, chiffres et tirets (ex. « le-blosne »)."}
    p = refusal(
        {"slug": "Le Blosne"}, lambda f: f.text("slug", max_length=60, pattern=re.compile("^[a-z-]+$"), message=say)
    )
    assert shown(p, "en") == "Identifier in lower case, digits and hyphens (e.g. “le-blosne”)."
    assert (
        refusal({"slug": ""}, lambda f: f.text("slug", max_length=60, required=True, message=say)).code
        == "missing_field"
    )


# -- numbers


@pytest.mark.parametrize(
    "value, expected",
    [(5, 5), ("42", 42), (" -7 ", -7), (INT64_MAX, INT64_MAX), (INT64_MIN, INT64_MIN), (str(INT64_MAX), INT64_MAX)],
)
def test_integers_within_64_bits_are_read(value, expected):
    assert Fields({"n": value}).integer("n") == expected


@pytest.mark.parametrize(
    "value", [INT64_MAX + 1, INT64_MIN - 1, 2**70, "9" * 20, "9" * 5000, "²", "٣", "1.0", 1.0, True, "", "0x10"]
)
def test_integers_beyond_64_bits_or_not_integers_are_refused(value):
    if value == "":
        assert Fields({"n": value}).integer("n") is None  # blank: absent
        return
    p = refusal({"n": value}, lambda f: f.integer("n"))
    assert p.code == "invalid_field" and p.params["max"] == INT64_MAX


def test_integer_bounds_and_defaults_in_both_languages():
    f = Fields({"budget": "", "priority": 3})
    assert f.integer("budget", minimum=1, maximum=20, default=3) == 3
    assert f.integer("priority", minimum=0, maximum=10) == 3
    p = refusal({"n": 9}, lambda f: f.integer("n", minimum=0, maximum=5))
    assert shown(p, "fr") == "Le champ « n » doit être un nombre entier entre 0 et 5."
    assert shown(p, "en") == "The field “n” must be a whole number between 0 and 5."


@pytest.mark.parametrize("value, expected", [(12, 12), ("12", 12), ("#12", 12), (" 7 ", 7)])
def test_record_numbers(value, expected):
    assert Fields({"id": value}).id("id") == expected


@pytest.mark.parametrize("value", [0, -1, 2**63, "9" * 19 + "9", "²", "12a", 1.0, True, "#"])
def test_record_numbers_out_of_range_are_refused(value):
    p = refusal({"id": value}, lambda f: f.id("id", label="séance"))
    assert shown(p, "fr") == "Le champ « séance » doit être un numéro."


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "nan", "-inf", 2**2000, "1e400", True, "abc", 91])
def test_numbers_are_finite_and_bounded(value):
    assert Fields({"x": value}, collect=True).number("x", minimum=-90, maximum=90) is None
    assert Fields({"x": "45.5"}).number("x", minimum=-90, maximum=90) == 45.5


def test_numbers_lists_keep_their_order_and_bounds():
    f = Fields({"load": [0.5, 0.5, 0.25], "bad": [1, "x"], "one": 2})
    assert f.numbers("load", minimum=0, maximum=10, max_items=3) == [0.5, 0.5, 0.25]
    assert f.numbers("one", minimum=0, maximum=10, max_items=3) == [2.0]
    assert refusal({"bad": [1, "x"]}, lambda f: f.numbers("bad", minimum=0, maximum=10, max_items=3)).code == (
        "invalid_field"
    )


# -- choices and booleans


def test_choices():
    f = Fields({"axis": "droits", "kind": ""})
    axes = {"acces-libre": "…", "accompagnement": "…", "droits": "…"}
    assert f.choice("axis", axes) == "droits"
    assert f.choice("kind", ("atelier", "autre"), "autre") == "autre"
    for value in ("inconnu", ["droits"], {"droits": 1}, 3):
        p = refusal({"axis": value}, lambda f: f.choice("axis", axes, code="invalid_axis"))
        assert p.code == "invalid_axis"
        assert shown(p, "en").endswith("possible values: acces-libre, accompagnement, droits.")


@pytest.mark.parametrize(
    "value, expected", [(True, True), (0, False), ("on", True), ("oui", True), ("Non", False), ("0", False)]
)
def test_booleans(value, expected):
    assert Fields({"b": value}).boolean("b") is expected


@pytest.mark.parametrize("value", [2, "peut-être", [], 1.0])
def test_other_booleans_are_refused(value):
    p = refusal({"b": value}, lambda f: f.boolean("b"))
    assert shown(p, "en") == "The field “b” is true or false."
    assert Fields({}).boolean("b", True) is True


# -- dates and times


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2025-10-13", dt.date(2025, 10, 13)),
        (dt.date(2000, 1, 1), dt.date(2000, 1, 1)),
        ("2100-12-31", dt.date(2100, 12, 31)),
    ],
)
def test_dates_within_the_years(value, expected):
    assert Fields({"d": value}).date("d") == expected


@pytest.mark.parametrize(
    "value", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01", "2025-02-30", "20251013", "2025-W41-1", 20251013]
)
def test_dates_outside_the_years_or_malformed_are_refused(value):
    p = refusal({"d": value}, lambda f: f.date("d"))
    assert p.code == "invalid_date"
    assert shown(p, "fr") == "Le champ « d » attend une date au format AAAA-MM-JJ, entre les années 2000 et 2100."
    assert shown(p, "en") == "The field “d” expects a date as YYYY-MM-DD, between the years 2000 and 2100."


def test_a_datetime_is_a_date_for_no_field():
    assert Fields({"d": dt.datetime(2025, 1, 1, 9)}, collect=True).date("d") is None


@pytest.mark.parametrize(
    "value, expected",
    [("2025-W10", dt.date(2025, 3, 3)), ("2026-W53", dt.date(2026, 12, 28)), ("2025w02", dt.date(2025, 1, 6))],
)
def test_weeks(value, expected):
    assert Fields({"week": value}).week("week") == expected


@pytest.mark.parametrize("value", ["0001-W01", "9999-W52", "2025-W53", "2025-W00", "2025-10", "W10"])
def test_weeks_outside_the_years_or_malformed_are_refused(value):
    p = refusal({"week": value}, lambda f: f.week("week"), status=400)
    assert (p.status, p.code) == (400, "invalid_week")


def test_times_and_moments():
    f = Fields({"start": "9:05", "at": "2025-10-13T14:00", "utc": "2025-10-13T12:00+00:00"})
    assert f.time("start") == "09:05"
    assert f.datetime("at", tz=PARIS) == dt.datetime(2025, 10, 13, 14, tzinfo=PARIS)
    assert f.datetime("utc", tz=PARIS) == dt.datetime(2025, 10, 13, 14, tzinfo=PARIS)
    assert Fields({"start": 570}, numbers_as_text=True).time("start") == "09:30"  # YAML's sexagesimal 09:30
    for value in ("24:00", "9h", 570):
        assert refusal({"start": value}, lambda f: f.time("start")).code == "invalid_time"
    for value in ("0001-01-01T00:00", "9999-12-31T23:59", "demain", "x" * 41):
        assert refusal({"at": value}, lambda f: f.datetime("at", tz=PARIS)).code == "invalid_date"


# -- lists and nesting


def test_strings_from_a_list_a_text_or_a_form():
    form = MultiDict([("a", "step-free"), ("a", "falc, hearing-loop"), ("a", "")])
    assert Fields(form).strings("a") == ["step-free", "falc", "hearing-loop"]
    assert Fields({"a": "seniors,  jeunes , seniors"}).strings("a") == ["seniors", "jeunes"]
    assert Fields({"a": ["tous publics", "  "]}).strings("a") == ["tous publics"]
    assert Fields({"a": ["x"] * 3}).strings("a", max_items=2) == ["x"]  # duplicates do not count
    assert refusal({"a": [f"x{i}" for i in range(3)]}, lambda f: f.strings("a", max_items=2)).code == "too_long"
    assert refusal({"a": ["x" * 61]}, lambda f: f.strings("a")).code == "too_long"
    assert refusal({"a": [1, 2]}, lambda f: f.strings("a")).code == "invalid_field"
    assert refusal({"a": []}, lambda f: f.strings("a", required=True)).code == "missing_field"


def test_ids_from_a_list_or_a_form():
    assert Fields(MultiDict([("d", "3"), ("d", "1"), ("d", "3")])).ids("d") == [3, 1]
    assert Fields({"d": [2, "5"]}).ids("d") == [2, 5]
    for value in ([2**63], ["²"], [0], [True], "x", {"a": 1}):
        assert refusal({"d": value}, lambda f: f.ids("d")).code == "invalid_field"
    assert refusal({"d": list(range(1, 5))}, lambda f: f.ids("d", max_items=3)).code == "too_long"


def test_nested_fields_name_their_problems_with_the_outer_field():
    f = Fields({"repeat": {"every": "weekly", "count": 0}, "flat": "x"}, collect=True)
    r = f.nested("repeat")
    assert r is not None and r.choice("every", ("weekly", "monthly")) == "weekly"
    assert r.integer("count", minimum=1, maximum=1000) is None
    assert f.nested("flat", message="« flat » doit contenir des champs.") is None
    assert f.nested("absent") is None and Fields({"r": {}}).nested("r") is None
    assert [field for field, _m, _p in f.problems] == ["repeat.count", "flat"]


# -- the two ways of meeting problems


def test_api_style_stops_at_the_first_problem():
    f = Fields({"title": "", "n": "x"})
    with pytest.raises(Problem) as e:
        f.text("title", max_length=10, required=True)
        f.integer("n")
    assert e.value.params["field"] == "title" and not f.problems


def test_collecting_notes_every_problem_then_raises_them_all():
    f = Fields({"title": "", "n": "x", "date": "0001-01-01", "end": "09:00"}, collect=True)
    assert f.text("title", max_length=10, required=True) == ""
    assert f.integer("n", minimum=0, maximum=5) is None
    assert f.date("date") is None
    f.fail("end", "La fin doit suivre le début.")
    with pytest.raises(Invalid) as e:
        f.done()
    assert [field for field, _m, _p in e.value.errors] == ["title", "n", "date", "end"]
    assert e.value.errors[1] == ("n", "Ce champ doit être un nombre entier entre {min} et {max}.", {"min": 0, "max": 5})
    assert e.value.messages()["date"] == "Date attendue au format AAAA-MM-JJ, entre les années 2000 et 2100."
    # As a Problem, Invalid answers 422 with the first problem, in the language of the moment.
    assert (e.value.status, e.value.code) == (422, "invalid")
    assert shown(e.value, "fr") == "Champ « title » : Ce champ est obligatoire."
    Fields({"title": "ok"}, collect=True).done()  # nothing noted: nothing raised


def test_collected_messages_in_english():
    i18n.load_catalogues(features.packages())
    token = i18n.current_language.set("en")
    try:
        f = Fields({"n": 9, "d": "demain"}, collect=True)
        f.integer("n", minimum=0, maximum=5)
        f.date("d")
        with pytest.raises(Invalid) as e:
            f.done()
        assert e.value.messages() == {
            "n": "This field must be a whole number between 0 and 5.",
            "d": "A date is expected as YYYY-MM-DD, between the years 2000 and 2100.",
        }
    finally:
        i18n.current_language.reset(token)


def test_every_message_has_its_placeholders_filled():
    """A replaced message may use the params of any kind of problem with its field (no KeyError, no 500)."""
    p = refusal(
        {}, lambda f: f.choice("action", ("publish", "hide"), required=True, message="Action inconnue : {values}.")
    )
    assert shown(p, "fr") == "Action inconnue : publish, hide."
    p = refusal({}, lambda f: f.integer("delta", minimum=-1, maximum=1, required=True, message="De {min} à {max}."))
    assert shown(p, "en") == "De -1 à 1."


def test_depth_counts_levels_without_recursing():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert depth(deep) == 5001
    assert depth({"a": [1, {"b": []}]}) == 4 and depth({}) == 1


# -- over HTTP: the JSON reader, the query string, the path


@pytest.fixture
def app(settings):
    app = create_app(settings)
    routes = Routes()

    @routes.post("/api/v1/echo", name="echo", access=PUBLIC)
    async def echo(request):
        f = Fields(await read_json(request))
        return web.json_response(
            {"text": f.text("text", max_length=10, required=True), "n": f.integer("n", minimum=0, maximum=5)}
        )

    @routes.get("/api/v1/echo/{id}", name="echo_get", access=PUBLIC)
    async def echo_get(request):
        return web.json_response({"id": path_id(request), "session": query(request).id("session")})

    routes.add_to(app)
    return app


@pytest.mark.parametrize(
    "body, status, code",
    [
        (b"{not json", 400, "invalid_json"),
        (b"\xff\xfe{}", 400, "invalid_encoding"),
        (b"[1, 2]", 400, "invalid_json"),
        (b'{"text": NaN}', 400, "invalid_json"),
        (b'{"text": Infinity}', 400, "invalid_json"),
        (b'{"n": ' + b"9" * 5000 + b"}", 400, "invalid_json"),
        (b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400, "too_deep"),
        (b'{"text": ' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}", 400, "too_deep"),
        (b'{"text": 3}', 422, "invalid_field"),
        (b'{"text": ""}', 422, "missing_field"),
        (b'{"text": "\\u0000\\u202e"}', 422, "missing_field"),
        (b'{"text": "12345678901"}', 422, "too_long"),
        (b'{"text": "ok", "n": 9}', 422, "invalid_field"),
        (b'{"text": "ok", "n": true}', 422, "invalid_field"),
        (b'{"text": "ok", "n": 9223372036854775808}', 422, "invalid_field"),
    ],
)
async def test_bad_json_gets_a_clear_error_in_both_languages(client, body, status, code):
    for language in ("fr", "en"):
        response = await client.post(
            "/api/v1/echo", data=body, headers={"Content-Type": "application/json", "Accept-Language": language}
        )
        assert response.status == status
        error = (await response.json())["error"]
        assert error["code"] == code and error["message"]
        if code == "too_deep":
            expected = {"fr": "imbriqué trop profondément", "en": "nested too deeply"}[language]
            assert expected in error["message"] and str(MAX_DEPTH) in error["message"]


async def test_a_body_nested_to_the_limit_and_good_values_pass(client):
    response = await client.post("/api/v1/echo", json={"text": " salut\u202e ", "n": 2, "x": [[[[]]]]})
    assert await response.json() == {"text": "salut", "n": 2}
    response = await client.post("/api/v1/echo", data=b"text=hi", headers={"Content-Type": "text/plain"})
    assert response.status == 415


@pytest.mark.parametrize("segment", ["0", "-1", "²", "٣", "9223372036854775808", "1e3", "abc"])
async def test_a_path_id_that_cannot_exist_is_404(client, segment):
    response = await client.get(f"/api/v1/echo/{segment}", headers={"Accept-Language": "en"})
    assert response.status == 404
    assert (await response.json())["error"]["message"] == "This page does not exist."


async def test_a_bad_query_string_is_400(client):
    assert await (await client.get("/api/v1/echo/7?session=12")).json() == {"id": 7, "session": 12}
    response = await client.get("/api/v1/echo/7?session=99999999999999999999", headers={"Accept-Language": "en"})
    assert response.status == 400
    assert (await response.json())["error"]["message"] == "The field “session” must be a number."
