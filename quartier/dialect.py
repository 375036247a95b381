"""The SQL we write for SQLite, as PostgreSQL reads it: the thin dialect layer of the store.

The features write one set of queries, in the SQL that SQLite and PostgreSQL share; where
SQLite's spelling differs, this module rewrites it for PostgreSQL, once per distinct query
(the result is cached). It knows only what our queries use:

- placeholders: `?` and `:name` become psycopg's `%s` and `%(name)s` (and every `%` becomes `%%`);
- `INSERT OR IGNORE` becomes `INSERT … ON CONFLICT DO NOTHING`;
- `a IS ?` (SQLite's null-safe equality) becomes `a IS NOT DISTINCT FROM %s`;
- `LIKE` becomes `ILIKE`: SQLite's LIKE ignores case;
- the scalar `max(a, b)` / `min(a, b)` become `greatest` / `least` (which skip a NULL argument,
  where SQLite's give NULL: our queries never pass one); `ifnull` becomes `coalesce`;
  `group_concat(x)` becomes `string_agg`; `json_extract(x, '$.k')` becomes `(x::jsonb ->> 'k')`;
  `unixepoch()` becomes the epoch of `now()`;
- `COLLATE NOCASE` becomes our `nocase` collation (ICU, case-insensitive; PostgreSQL 15 refuses
  LIKE on such a column, and none of our queries does that);
- a camelCase alias is quoted, so a row's keys are spelled as in the query.

String literals, quoted names and comments are never touched. `schema()` turns the tables and
indexes that SQLite's migrations built into PostgreSQL's DDL (see quartier.postgres).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

# Segments of a statement: a string literal, a quoted name, a comment, or code.
_SEGMENTS = re.compile(r"""('(?:[^']|'')*')|("(?:[^"]|"")*")|(--[^\n]*)|(/\*.*?\*/)""", re.S)
_PLACEHOLDER = re.compile(r"(?<![:\w])(\?|:[A-Za-z_]\w*)")
_INSERT_OR_IGNORE = re.compile(r"\bINSERT\s+OR\s+IGNORE\s+INTO\b", re.I)
_IS_PARAM = re.compile(r"\bIS\s+(NOT\s+)?(?=%)", re.I)
_LIKE = re.compile(r"(?<!I)\bLIKE\b", re.I)
_IFNULL = re.compile(r"\bifnull\s*\(", re.I)
_UNIXEPOCH = re.compile(r"\bunixepoch\s*\(\s*\)", re.I)
_NOCASE = re.compile(r"\bCOLLATE\s+NOCASE\b", re.I)
_ALIAS = re.compile(r"\bAS\s+([a-z]+[A-Z]\w*)\b")
_JSON_EXTRACT = re.compile(r"\bjson_extract\s*\(\s*([\w.]+)\s*,\s*'\$\.(\w+)'\s*\)", re.I)
_CALL = re.compile(r"\b(max|min|group_concat)\s*\(", re.I)
_RETURNING = re.compile(r"\bRETURNING\b", re.I)


def _split(sql: str) -> Iterator[tuple[bool, str]]:
    """(is_code, text) pieces of a statement: only code is rewritten."""
    at = 0
    for m in _SEGMENTS.finditer(sql):
        if m.start() > at:
            yield True, sql[at : m.start()]
        yield False, m.group(0)
        at = m.end()
    if at < len(sql):
        yield True, sql[at:]


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """One query as PostgreSQL (through psycopg) reads it."""
    ignore = bool(_INSERT_OR_IGNORE.search(sql))
    sql = _JSON_EXTRACT.sub(lambda m: f"(CAST({m.group(1)} AS jsonb) ->> '{m.group(2)}')", sql)
    pieces = []
    for is_code, text in _split(sql):
        text = text.replace("%", "%%")  # psycopg reads % everywhere, in literals too
        if is_code:
            text = _PLACEHOLDER.sub(lambda m: "%s" if m.group(1) == "?" else f"%({m.group(1)[1:]})s", text)
            text = _INSERT_OR_IGNORE.sub("INSERT INTO", text)
            text = _IS_PARAM.sub(lambda m: "IS DISTINCT FROM " if m.group(1) else "IS NOT DISTINCT FROM ", text)
            text = _LIKE.sub("ILIKE", text)
            text = _IFNULL.sub("coalesce(", text)
            text = _UNIXEPOCH.sub("CAST(extract(epoch FROM now()) AS BIGINT)", text)
            text = _NOCASE.sub("COLLATE nocase", text)
            text = _ALIAS.sub(lambda m: f'AS "{m.group(1)}"', text)
        pieces.append((is_code, text))
    out = _calls("".join(p for _code, p in pieces))
    if ignore:
        returning = _last_code_match(out, _RETURNING)
        if returning is None:
            out = out.rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
        else:
            out = out[:returning] + "ON CONFLICT DO NOTHING " + out[returning:]
    return out


def _last_code_match(sql: str, pattern: re.Pattern[str]) -> int | None:
    found = None
    at = 0
    for is_code, text in _split(sql):
        if is_code:
            for m in pattern.finditer(text):
                found = at + m.start()
        at += len(text)
    return found


def _calls(sql: str) -> str:
    """Rename the scalar max/min (two arguments or more) and rewrite group_concat."""
    out = []
    at = 0
    for m in _CALL.finditer(sql):
        if m.start() < at or not _is_code_at(sql, m.start()):
            continue
        args, end = _arguments(sql, m.end())
        name = m.group(1).lower()
        if name == "group_concat":
            sep = args[1] if len(args) > 1 else "','"
            call = f"string_agg(CAST({_calls(args[0])} AS TEXT), {sep})"
        elif len(args) > 1:
            call = ("greatest(" if name == "max" else "least(") + ", ".join(_calls(a) for a in args) + ")"
        else:
            call = f"{m.group(1)}({_calls(args[0]) if args else ''})"
        out.append(sql[at : m.start()] + call)
        at = end
    out.append(sql[at:])
    return "".join(out)


def _is_code_at(sql: str, index: int) -> bool:
    at = 0
    for is_code, text in _split(sql):
        if at <= index < at + len(text):
            return is_code
        at += len(text)
    return False


def _arguments(sql: str, start: int) -> tuple[list[str], int]:
    """The top-level arguments of a call whose '(' ends just before `start`, and where it closes."""
    depth = 0
    args: list[str] = []
    here = start
    i = start
    while i < len(sql):
        c = sql[i]
        if c == "'":
            i = sql.index("'", i + 1) + 1
            while i < len(sql) and sql[i] == "'":  # '' inside a literal
                i = sql.index("'", i + 1) + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                args.append(sql[here:i].strip())
                return [a for a in args if a], i + 1
            depth -= 1
        elif c == "," and depth == 0:
            args.append(sql[here:i].strip())
            here = i + 1
        i += 1
    raise ValueError(f"unbalanced parentheses in {sql!r}")


# -- the schema

_TYPES = [
    (re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b", re.I), "BIGINT PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
    (re.compile(r"\bREAL\b", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
    (re.compile(r"\bWITHOUT\s+ROWID\b", re.I), ""),
]
_ROWID_COLUMN = re.compile(r"""[(,]\s*"?(\w+)"?\s+INTEGER\s+PRIMARY\s+KEY(?!\s+AUTOINCREMENT)\b""", re.I)
_REFERENCES = re.compile(r"""\bREFERENCES\s+"?(\w+)"?""", re.I)
_TABLE_NAME = re.compile(r"""^\s*CREATE\s+TABLE\s+"?(\w+)"?""", re.I)


def table(sql: str) -> tuple[str, list[str]]:
    """A `CREATE TABLE` as SQLite holds it (sqlite_master), as PostgreSQL's DDL; and the statements
    that give its INTEGER PRIMARY KEY SQLite's rowid rule (no value given: one more than the largest)."""
    m = _TABLE_NAME.match(sql)
    if m is None:
        raise ValueError(f"not a CREATE TABLE: {sql[:60]!r}")
    name = m.group(1)
    rowid = next((c.group(1) for c in _ROWID_COLUMN.finditer(_code_only(sql))), None)
    out = []
    for is_code, text in _split(sql):
        if is_code:
            for pattern, replacement in _TYPES:
                text = pattern.sub(replacement, text)
            text = _NOCASE.sub("COLLATE nocase", text)
        out.append(text)
    extra = []
    if rowid is not None:
        function = f"{name}_{rowid}_rowid"
        extra = [
            f'CREATE FUNCTION "{function}"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
            f'IF NEW."{rowid}" IS NULL THEN NEW."{rowid}" := '
            f'(SELECT coalesce(max("{rowid}"), 0) + 1 FROM "{name}"); END IF; RETURN NEW; END $$',
            f'CREATE TRIGGER "{function}" BEFORE INSERT ON "{name}" FOR EACH ROW EXECUTE FUNCTION "{function}"()',
        ]
    return "".join(out), extra


def index(sql: str) -> str:
    """A `CREATE INDEX` as PostgreSQL's DDL."""
    return "".join(_NOCASE.sub("COLLATE nocase", t) if code else t for code, t in _split(sql))


def references(sql: str) -> set[str]:
    """The tables a `CREATE TABLE` refers to (PostgreSQL wants them made first)."""
    own = _TABLE_NAME.match(sql)
    found = {m.group(1) for m in _REFERENCES.finditer(_code_only(sql))}
    return found - {own.group(1)} if own else found


def _code_only(sql: str) -> str:
    return "".join(t if code else " " * len(t) for code, t in _split(sql))
