"""The weekly grid reads back the opening hours it can show (issue 23), and only those."""

from events.hours_grid import Grid, day_names, grid_of
from tests.languages import in_language

NINE_TO_NOON = [("09:00", "12:00")]


def test_the_grid_reads_days_ranges_and_later_rules_replace_a_day():
    grid = grid_of("Mo-Fr 09:00-12:00,14:00-17:30; We 09:00-12:00; Sa 10:00-12:00")
    assert grid is not None
    assert grid.week[0] == [("09:00", "12:00"), ("14:00", "17:30")]
    assert grid.week[2] == NINE_TO_NOON and grid.week[5] == [("10:00", "12:00")] and grid.week[6] == []
    assert grid_of("Mo,We 09:00-12:00; We off") == Grid([NINE_TO_NOON, [], [], [], [], [], []])
    assert grid_of("Sa-Mo 09:00-12:00").week == [NINE_TO_NOON, [], [], [], [], NINE_TO_NOON, NINE_TO_NOON]
    assert grid_of("") == Grid([[] for _d in range(7)]) and grid_of(None) == grid_of("")


def test_public_holidays_are_kept_and_what_the_grid_cannot_show_is_left_to_the_text():
    assert grid_of("Mo-Fr 09:00-12:00; PH off") == Grid([NINE_TO_NOON] * 5 + [[], []], "PH off")
    assert grid_of("Mo 08:00-09:00,10:00-11:00,12:00-13:00") is None  # three ranges: more than the grid
    assert grid_of("Mo-Fr 09:00-12:00; Jan off") is None
    assert grid_of("24/7") is None


def test_day_names_come_from_babel():
    assert in_language("fr", day_names)[0] == "Lundi" and in_language("en", day_names)[6] == "Sunday"
