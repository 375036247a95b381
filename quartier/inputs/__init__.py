"""The one input layer: a JSON body, a form or a query string read into typed values, with messages people read.

`Fields(data)` reads an API body and stops at the first problem with a Problem that names the field (422;
400 for a query string, see `query`). `Fields(data, collect=True)` notes every problem and `done()` raises
them all as `Invalid`, for the staff forms (each message beside its field) and the YAML import (each with
its line). The bounds live here: text lengths after cleaning, integers within 64 bits, dates within
`YEARS`, JSON at most `MAX_DEPTH` levels deep, record numbers in paths.

Every message is a French msgid with placeholders (`{field}`, `{max}`, …), translated when shown. A
reader's `message` and `code` replace its defaults (one string for every kind of problem, or a mapping by
kind: "required", "text", "too_long", …; see `messages`), and `label` names the field in words instead of
by its key.

- `values`: one value cleaned or parsed (text, numbers, dates), None when it is not one;
- `messages`: what each kind of problem says;
- `fields`: `Fields`, its readers, and `Invalid`;
- `requests`: where input comes from (`read_json`, `query`, `path_id`, `path_date`).
"""

from quartier.inputs.fields import Fields, How, Invalid
from quartier.inputs.requests import MAX_DEPTH, depth, path_date, path_id, query, read_json
from quartier.inputs.values import INT64_MAX, INT64_MIN, YEARS, clean_text, to_date, to_id, to_week

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "MAX_DEPTH",
    "YEARS",
    "Fields",
    "How",
    "Invalid",
    "clean_text",
    "depth",
    "path_date",
    "path_id",
    "query",
    "read_json",
    "to_date",
    "to_id",
    "to_week",
]
