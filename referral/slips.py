"""Counting printed slips: per month, need, site asked from and destination; never who, never when.

The annual report reads the counts through `referral.queries.slip_counts` ("où avons-nous renvoyé,
pour quoi"). A session's slip is counted under its stable key and its site's name, a place's under
its id and name, so the report keeps its lines when either is later renamed or deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from quartier.db import Tx
from referral import store
from referral.needs import Need


def count(tx: Tx, need: Need, site: str | None, item: dict[str, Any], moment: dt.datetime) -> None:
    if item["kind_of_item"] == "session":
        key = tx.execute("SELECT key FROM sessions WHERE id = ?", (item["session"],)).fetchone()["key"]
        target, destination, kind = f"session:{key}", item["site_name"], "programme"
    else:
        target, destination, kind = f"resource:{item['id']}", item["organisation"] or item["name"], item["kind"]
    store.count_slip(
        tx,
        month=moment.strftime("%Y-%m"),
        need=need.id,
        site=site or "",
        target=target,
        destination=destination,
        kind=kind,
    )
