"""The dialect layer: each SQLite spelling our queries use gives the same answer on PostgreSQL.

Every query runs on both stores, over the same rows: an in-memory SQLite database and a
database of the throwaway PostgreSQL, made from the same migration (quartier.postgres).
"""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils
from sqlite_utils import Migrations

from quartier import pgschema
from quartier import postgres as pg_store
from quartier.sqlite import connect

demo = Migrations("dialect_demo")


@demo(name="0001")
def _tables(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            age INTEGER,
            score REAL NOT NULL DEFAULT 0,
            town TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL DEFAULT '{}'
        )"""
    )
    db.execute(
        "CREATE TABLE tags (person INTEGER NOT NULL REFERENCES people(id), tag TEXT NOT NULL, PRIMARY KEY (person, tag))"
    )


ROWS = [
    ("Alice", 30, 1.5, "Rennes", '{"id": 7}'),
    ("bob", None, 2.0, "rezé", '{"id": 8}'),
    ("Chloé", 41, 0.25, "Brest", '{"id": 9}'),
]

QUERIES = [
    ("SELECT name FROM people WHERE town LIKE ? ORDER BY id", ("re%",)),  # SQLite's LIKE ignores case
    ("SELECT name FROM people WHERE name = ? ", ("ALICE",)),  # COLLATE NOCASE
    ("SELECT name FROM people WHERE age IS ? ORDER BY id", (None,)),  # null-safe equality
    ("SELECT name FROM people WHERE age IS NOT ? ORDER BY id", (30,)),
    # The scalar max and min (with a NULL, SQLite's give NULL where greatest and least skip it).
    ("SELECT max(age, 35), min(score, 1.0) FROM people WHERE age IS NOT NULL ORDER BY id", ()),
    ("SELECT max(age), min(score) FROM people", ()),  # the aggregates stay
    ("SELECT sum(age), count(*), avg(score) FROM people", ()),  # int, int, float
    ("SELECT group_concat(name, ' | ') FROM (SELECT name FROM people ORDER BY id) AS p", ()),
    ("SELECT ifnull(age, -1) FROM people ORDER BY id", ()),
    ("SELECT CAST(json_extract(data, '$.id') AS INTEGER) FROM people ORDER BY id", ()),
    ("SELECT name FROM people WHERE town LIKE '%st' OR name = :who ORDER BY id", {"who": "bob"}),  # % in a literal
    ("SELECT name AS personName FROM people WHERE id = 1", ()),  # a camelCase key as written
]


@pytest.fixture
def stores(postgres):
    lite = connect(":memory:")  # autocommit, rows as sqlite3.Row: as the app's connections
    demo.apply(lite)
    pg = pg_store.Handle(postgres.url(postgres.create_database()))
    pgschema.create_schema(pg, [demo])
    for db in (lite, pg):
        for row in ROWS:
            db.execute("INSERT INTO people (name, age, score, town, data) VALUES (?, ?, ?, ?, ?)", row)
    yield lite, pg
    pg.conn.close()
    lite.conn.close()


@pytest.mark.parametrize("sql, params", QUERIES, ids=[q for q, _p in QUERIES])
def test_a_query_reads_the_same_on_both_stores(stores, sql, params):
    lite, pg = stores
    expected = [tuple(r) for r in lite.execute(sql, params).fetchall()]
    assert [tuple(r) for r in pg.execute(sql, params).fetchall()] == expected


def test_rows_read_by_index_by_name_and_as_a_mapping(stores):
    _lite, pg = stores
    row = pg.execute("SELECT id, name AS personName FROM people WHERE id = 1").fetchone()
    assert row[0] == 1 and row["personName"] == "Alice" and row["personname"] == "Alice"
    assert dict(row) == {"id": 1, "personName": "Alice"}


def test_a_python_bool_is_stored_as_1_and_0(stores):
    for db in stores:  # our flags are INTEGER columns
        db.execute("UPDATE people SET age = ? WHERE id = 1", (True,))
        db.execute("UPDATE people SET age = ? WHERE id = 2", (False,))
        assert [r[0] for r in db.execute("SELECT age FROM people WHERE age <= ? ORDER BY id", (True,))] == [1, 0]


def test_insert_or_ignore_and_returning(stores):
    for db in stores:
        first = db.execute("INSERT OR IGNORE INTO tags (person, tag) VALUES (?, ?) RETURNING tag", (1, "x")).fetchall()
        again = db.execute("INSERT OR IGNORE INTO tags (person, tag) VALUES (?, ?) RETURNING tag", (1, "x")).fetchall()
        assert [tuple(r) for r in first] == [("x",)] and again == []


def test_an_integer_primary_key_follows_sqlites_rowid_rule(stores):
    for db in stores:  # no id given: one more than the largest, even after an id was given
        db.execute("INSERT INTO people (id, name) VALUES (10, 'Dan')")
        new = db.execute("INSERT INTO people (name) VALUES ('Eve') RETURNING id").fetchone()[0]
        assert new == 11


def test_a_conflict_is_sqlites_integrity_error_and_the_transaction_goes_on(stores):
    for db in stores:
        db.execute("BEGIN")
        db.execute("SAVEPOINT one")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO people (name) VALUES ('alice')")  # NOCASE: Alice is taken
        db.execute("ROLLBACK TO one")
        db.execute("INSERT INTO people (name) VALUES ('Fanny')")
        db.execute("COMMIT")
        assert db.execute("SELECT count(*) FROM people").fetchone()[0] == 4


def test_nul_in_a_parameter_finds_nothing_instead_of_failing(stores):
    for db in stores:
        assert db.execute("SELECT id FROM people WHERE name = ?", ("Al\0ice",)).fetchall() == []
