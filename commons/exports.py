"""The contributions table and the budget as OpenDocument spreadsheets (for partners who work in
LibreOffice) and CSV, from the very figures the page shows (`commons.budget.build`).

Numbers are number cells (LibreOffice can sum them); text cells that a spreadsheet would run as a
formula are neutralised by quartier.csvout, as in every export.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from odf import table, text
from odf.opendocument import OpenDocumentSpreadsheet

from commons.budget import NO_AXIS
from commons.valuation import ITEMS, KINDS, rule_of
from quartier import csvout
from quartier.i18n import gettext as _

ODS = "application/vnd.oasis.opendocument.spreadsheet"
Row = list[Any]


def _cells(row: Row) -> Row:
    return [csvout.cell(v) for v in row]  # the one neutraliser of formula-like text


def _ods(sheets: Iterable[tuple[str, Row, list[Row]]]) -> bytes:
    doc = OpenDocumentSpreadsheet()
    for name, header, rows in sheets:
        sheet = table.Table(name=name[:31])
        for row in [header, *rows]:
            tr = table.TableRow()
            for value in _cells(row):
                tr.addElement(_cell(value))
            sheet.addElement(tr)
        doc.spreadsheet.addElement(sheet)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


def _cell(value: Any) -> table.TableCell:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell = table.TableCell(valuetype="float", value=str(value))
        cell.addElement(text.P(text=str(value)))
        return cell
    cell = table.TableCell(valuetype="string")
    cell.addElement(text.P(text="" if value is None else str(value)))
    return cell


def _csv(header: Row, rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csvout.Writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# -- the contributions table: one row per valued line


CONTRIBUTION_HEADER = [
    "source",
    "partenaire",
    "nature",
    "materiel",
    "libelle",
    "date",
    "seances_tenues",
    "quantite",
    "unite",
    "valeur_unitaire",
    "euros",
    "lieu",
    "axe",
]


def contribution_rows(b: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for line in b["lines"]:
        rule = rule_of(line["kind"], line["item"])
        unit_value = b["rates"][rule]["value"] if rule else 1.0
        rows.append(
            [
                _("programme") if line["source"] == "programme" else _("saisie"),
                line["partner_name"],
                _(KINDS[line["kind"]][0]),
                _(ITEMS[line["item"]]) if line["item"] else "",
                line["what"] or "",
                line["date"] or "",
                line.get("held", ""),
                line["quantity"],
                _(KINDS[line["kind"]][1]),
                unit_value,
                line["euros"],
                line["site"] or "",
                line["axis"] or "",
            ]
        )
    rows.append([_("Total"), "", "", "", "", "", "", "", "", "", b["totals"]["euros"], "", ""])
    return rows


def contributions_ods(b: dict[str, Any]) -> bytes:
    return _ods([(_("Contributions {year}").format(year=b["year"]), CONTRIBUTION_HEADER, contribution_rows(b))])


def contributions_csv(b: dict[str, Any]) -> str:
    return _csv(CONTRIBUTION_HEADER, contribution_rows(b))


# -- the budget


def _partner_sheet(b: dict[str, Any]) -> tuple[Row, list[Row]]:
    header = ["partenaire", "cle", "cercle", "heures", *(f"euros_{k}" for k in KINDS), "euros", "part_pct"]
    rows: list[Row] = [
        [
            p["name"],
            p["key"],
            p["circle"],
            p["hours"],
            *(p["by_kind"][k]["euros"] for k in KINDS),
            p["euros"],
            p["share"],
        ]
        for p in b["partners"]
    ]
    t = b["totals"]
    rows.append(
        [
            _("Total"),
            "",
            "",
            t["hours"],
            *(t["by_kind"][k]["euros"] for k in KINDS),
            t["euros"],
            100.0 if t["euros"] else 0.0,
        ]
    )
    return header, rows


def _axis_sheet(b: dict[str, Any]) -> tuple[Row, list[Row]]:
    axes = list(b["totals"]["by_axis"])
    header = ["partenaire", *(f"euros_{a}" for a in axes), "euros"]
    rows: list[Row] = [[p["name"], *(p["by_axis"][a] for a in axes), p["euros"]] for p in b["partners"]]
    rows.append([_("Total"), *(b["totals"]["by_axis"][a] for a in axes), b["totals"]["euros"]])
    return header, rows


def _base_sheet(b: dict[str, Any]) -> tuple[Row, list[Row]]:
    rows: list[Row] = [[s["name"], s["need"], s["contributed"], s["gap"]] for s in b["base"]["sites"]]
    if b["gap"] is not None:
        rows.append([_("Total (tous les apports)"), b["base"]["need"], b["totals"]["euros"], b["gap"]])
    return ["lieu", "besoin_euros", "apports_euros", "ecart_euros"], rows


def _projection_sheet(b: dict[str, Any]) -> tuple[Row, list[Row]]:
    p = b["projection"]
    header = ["ligne", "partenaire", "nature", "taux_pct", str(b["year"]), *(str(y) for y in p["years"])]
    rows: list[Row] = [
        [line["line"], line["name"], _(KINDS[line["kind"]][0]), line["rate"], line["start"], *line["values"]]
        for line in p["lines"]
    ]
    rows.append([_("Total des apports"), "", "", "", b["totals"]["euros"], *p["totals"]])
    if p["need"]:
        rows.append(["base", _("Besoin de la base commune"), "", p["base_rate"], b["base"]["need"], *p["need"]])
        rows.append([_("Écart à financer"), "", "", "", b["gap"], *p["gaps"]])
    return header, rows


def budget_ods(b: dict[str, Any]) -> bytes:
    year = b["year"]
    return _ods(
        [
            (_("Budget {year}").format(year=year), *_partner_sheet(b)),
            (_("Par axe"), *_axis_sheet(b)),
            (_("Base commune"), *_base_sheet(b)),
            (_("Projection"), *_projection_sheet(b)),
            (_("Contributions"), CONTRIBUTION_HEADER, contribution_rows(b)),
        ]
    )


def budget_csv(b: dict[str, Any]) -> str:
    """The budget in one table: section, element, detail, quantity, euros (the page's figures)."""
    rows: list[Row] = []
    for p in b["partners"]:
        for kind, figures in p["by_kind"].items():
            if figures["euros"] or figures["quantity"]:
                rows.append(["partenaire", p["key"], kind, figures["quantity"], figures["euros"]])
        rows.append(["partenaire_total", p["key"], "part_pct", p["share"], p["euros"]])
    for kind, figures in b["totals"]["by_kind"].items():
        rows.append(["total", kind, "", figures["quantity"], figures["euros"]])
    for axis, euros in b["totals"]["by_axis"].items():
        rows.append(["axe", axis if axis != NO_AXIS else "non_affecte", "", "", euros])
    rows.append(["total", "heures", "", b["totals"]["hours"], ""])
    rows.append(["total", "euros", "", "", b["totals"]["euros"]])
    for s in b["base"]["sites"]:
        rows += [
            ["base", s["site"], d, "", s[k]]
            for d, k in (("besoin", "need"), ("apports", "contributed"), ("ecart", "gap"))
        ]
    if b["gap"] is not None:
        rows.append(["base", "total", "besoin", "", b["base"]["need"]])
        rows.append(["base", "total", "ecart", "", b["gap"]])
    p = b["projection"]
    for i, year in enumerate(p["years"]):
        rows.append(["projection", year, "apports", "", p["totals"][i]])
        if p["need"]:
            rows.append(["projection", year, "besoin", "", p["need"][i]])
            rows.append(["projection", year, "ecart", "", p["gaps"][i]])
    return _csv(["section", "element", "detail", "quantite", "euros"], rows)
