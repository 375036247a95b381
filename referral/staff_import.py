"""Staff import of data·inclusion files: upload, see what would change, then import (or not).

The preview page carries the files' text back in the confirming form, so nothing is kept on the
server between the two steps and the import checks the files again before writing. Larger files
than a request may carry (`max_body_kb`) go through `quartier referral import`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from quartier.errors import Problem
from quartier.i18n import N_
from quartier.routing import STAFF, Routes
from quartier.typedefs import DB
from quartier.web import redirect
from referral import di_import, di_read
from referral.pages import render

routes = Routes()

MAX_FILES = 4


async def _files(request: web.Request) -> list[tuple[str, str]]:
    """The uploaded files (or, when confirming, the texts the preview carried), as (name, text)."""
    form = await request.post()
    found: list[tuple[str, str]] = []
    for upload in form.getall("file", []):
        if isinstance(upload, web.FileField):
            raw = upload.file.read()
            name = (upload.filename or "fichier.json")[-80:]
        elif isinstance(upload, str) and upload.strip():
            raw, name = upload.encode("utf-8"), str(form.get(f"name-{len(found)}") or "fichier.json")[-80:]
        else:
            continue
        try:
            found.append((name, raw.decode("utf-8-sig")))
        except UnicodeDecodeError:
            raise Problem(400, "invalid_encoding", N_("Le texte envoyé n'est pas de l'UTF-8 valide.")) from None
    if not found or len(found) > MAX_FILES:
        raise Problem(
            422, "missing_field", N_("Choisissez un ou deux fichiers data·inclusion (structures.json, services.json).")
        )
    return found


@routes.get("/staff/orientation/import", name="referral_staff_import", access=STAFF)
async def import_form(request: web.Request) -> web.Response:
    return render(request, "referral/staff_import.html", {"step": "choose"})


async def _checked(request: web.Request) -> tuple[list[tuple[str, str]], di_read.Batch | web.Response]:
    """The files sent, and their checked batch or the page that lists every problem (422)."""
    files = await _files(request)
    known = await request.app[DB].read(di_import.known_structures)
    try:
        return files, di_read.read(files, known)
    except di_read.Refused as e:
        return files, render(
            request, "referral/staff_import.html", {"step": "refused", "problems": e.problems}, status=422
        )


@routes.post("/staff/orientation/import", name="referral_staff_import_preview", access=STAFF)
async def import_preview(request: web.Request) -> web.Response:
    """What importing the files would do: created, updated (which columns), unchanged; or every problem."""
    files, batch = await _checked(request)
    if isinstance(batch, web.Response):
        return batch
    changes = await request.app[DB].read(lambda db: di_import.preview(db, batch))
    context: dict[str, Any] = {"step": "preview", "changes": changes, "warnings": batch.warnings, "files": files}
    context["counts"] = {o: sum(1 for c in changes if c.outcome == o) for o in ("created", "updated", "unchanged")}
    return render(request, "referral/staff_import.html", context)


@routes.post("/staff/orientation/import/apply", name="referral_staff_import_apply", access=STAFF)
async def import_apply(request: web.Request) -> web.Response:
    _files_sent, batch = await _checked(request)
    if isinstance(batch, web.Response):
        return batch
    outcomes = await request.app[DB].write(lambda tx: di_import.apply(tx, batch))
    done = ",".join(str(outcomes[o]) for o in ("created", "updated", "unchanged"))
    return redirect(str(request.app.router["referral_staff"].url_for().with_query(imported=done)))
