"""The minutes as an OpenDocument text (ODT), built with odfpy from the Markdown's tokens.

Headings, paragraphs with bold and italics, bullet and numbered lists, tables, and the word
cloud (embedded as an SVG picture, which LibreOffice shows and prints). Styles are named
("Heading 1", "Table Contents"...) so a partner can restyle the document in LibreOffice.
"""

from __future__ import annotations

import io
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from odf import draw, style, svg, table, text
from odf.opendocument import OpenDocumentText

from quartier import xmltext

_MD = MarkdownIt("commonmark", {"html": False}).enable("table")


def _styles(doc: OpenDocumentText) -> dict[str, Any]:
    s: dict[str, Any] = {}
    default = style.Style(name="Standard", family="paragraph")
    default.addElement(style.TextProperties(fontsize="11pt", fontfamily="Liberation Sans"))
    doc.styles.addElement(default)
    for level, size in ((1, "20pt"), (2, "15pt"), (3, "12.5pt")):
        h = style.Style(name=f"Heading {level}", family="paragraph", defaultoutlinelevel=str(level))
        h.addElement(style.TextProperties(fontsize=size, fontweight="bold", fontfamily="Liberation Sans"))
        h.addElement(style.ParagraphProperties(margintop="0.35cm", marginbottom="0.15cm", keepwithnext="always"))
        doc.styles.addElement(h)
        s[f"h{level}"] = h
    body = style.Style(name="Text body", family="paragraph")
    body.addElement(style.ParagraphProperties(marginbottom="0.2cm"))
    doc.styles.addElement(body)
    s["p"] = body
    cell_p = style.Style(name="Table Contents", family="paragraph")
    doc.styles.addElement(cell_p)
    s["cellp"] = cell_p
    bold = style.Style(name="Strong", family="text")
    bold.addElement(style.TextProperties(fontweight="bold"))
    doc.styles.addElement(bold)
    s["strong"] = bold
    em = style.Style(name="Emphasis", family="text")
    em.addElement(style.TextProperties(fontstyle="italic"))
    doc.styles.addElement(em)
    s["em"] = em
    cell = style.Style(name="Cell", family="table-cell")
    cell.addElement(style.TableCellProperties(border="0.5pt solid #000000", padding="0.1cm"))
    doc.automaticstyles.addElement(cell)
    s["cell"] = cell
    frame = style.Style(name="Picture", family="graphic")
    frame.addElement(
        style.GraphicProperties(anchortype="paragraph", horizontalpos="center", horizontalrel="paragraph", wrap="none")
    )
    doc.automaticstyles.addElement(frame)
    s["frame"] = frame
    bullets = text.ListStyle(name="Bullets")
    lvl = text.ListLevelStyleBullet(level="1", bulletchar="•")
    lvl.addElement(style.ListLevelProperties(spacebefore="0.4cm", minlabelwidth="0.5cm"))
    bullets.addElement(lvl)
    doc.automaticstyles.addElement(bullets)
    s["ul"] = bullets
    numbers = text.ListStyle(name="Numbers")
    lvl = text.ListLevelStyleNumber(level="1", numformat="1", numsuffix=".")
    lvl.addElement(style.ListLevelProperties(spacebefore="0.4cm", minlabelwidth="0.6cm"))
    numbers.addElement(lvl)
    doc.automaticstyles.addElement(numbers)
    s["ol"] = numbers
    return s


class _Writer:
    def __init__(self, doc: OpenDocumentText, styles: dict[str, Any], svg: str | None):
        self.doc, self.s, self.svg = doc, styles, svg
        self.pictures = 0

    def inline(self, parent: Any, token: Token) -> None:
        """Add an inline token's children (text, bold, italics, code, links as text, images) to parent."""
        stack = [parent]
        for child in token.children or []:
            top = stack[-1]
            if child.type in ("text", "code_inline"):
                top.addText(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                top.addElement(text.LineBreak()) if child.type == "hardbreak" else top.addText(" ")
            elif child.type in ("strong_open", "em_open"):
                span = text.Span(stylename=self.s["strong" if child.type == "strong_open" else "em"])
                top.addElement(span)
                stack.append(span)
            elif child.type in ("strong_close", "em_close") and len(stack) > 1:
                stack.pop()
            elif child.type == "image":
                self.image(top, child)

    def image(self, parent: Any, token: Token) -> None:
        src = str(token.attrGet("src") or "")
        alt = "".join(c.content for c in token.children or [])
        if self.svg and src.endswith("wordcloud.svg"):
            self.pictures += 1
            href = self.doc.addPicture(f"Pictures/wordcloud{self.pictures}.svg", "image/svg+xml", self.svg.encode())
            frame = draw.Frame(
                stylename=self.s["frame"],
                width="16cm",
                height="9cm",
                anchortype="as-char",
                name=f"wordcloud{self.pictures}",
            )
            frame.addElement(draw.Image(href=href))
            if alt:
                frame.addElement(svg.Desc(text=alt))
            parent.addElement(frame)
        else:
            parent.addText(alt)

    def build(self, tokens: list[Token]) -> None:
        i = 0
        containers: list[Any] = [self.doc.text]
        list_items: list[Any] = []
        while i < len(tokens):
            t = tokens[i]
            here = containers[-1]
            if t.type == "heading_open":
                level = min(int(t.tag[1]), 3)
                h = text.H(outlinelevel=level, stylename=self.s[f"h{level}"])
                self.inline(h, tokens[i + 1])
                here.addElement(h)
                i += 3
                continue
            if t.type == "paragraph_open":
                p = text.P(stylename=self.s["p"])
                self.inline(p, tokens[i + 1])
                here.addElement(p)
                i += 3
                continue
            if t.type in ("bullet_list_open", "ordered_list_open"):
                lst = text.List(stylename=self.s["ul" if t.type == "bullet_list_open" else "ol"])
                here.addElement(lst)
                containers.append(lst)
            elif t.type in ("bullet_list_close", "ordered_list_close"):
                containers.pop()
            elif t.type == "list_item_open":
                item = text.ListItem()
                here.addElement(item)
                containers.append(item)
                list_items.append(item)
            elif t.type == "list_item_close":
                containers.pop()
                list_items.pop()
            elif t.type == "table_open":
                i = self.table(here, tokens, i)
                continue
            elif t.type in ("fence", "code_block"):
                for line in t.content.rstrip("\n").split("\n"):
                    here.addElement(text.P(stylename=self.s["p"], text=line))
            elif t.type == "hr":
                here.addElement(text.P(stylename=self.s["p"], text="—"))
            i += 1

    def table(self, parent: Any, tokens: list[Token], i: int) -> int:
        rows: list[list[Token]] = []
        row: list[Token] = []
        while tokens[i].type != "table_close":
            t = tokens[i]
            if t.type == "tr_open":
                row = []
            elif t.type == "inline":
                row.append(t)
            elif t.type == "tr_close":
                rows.append(row)
            i += 1
        columns = max((len(r) for r in rows), default=1)
        tbl = table.Table(name=f"Tableau{id(rows) % 10000}")
        tbl.addElement(table.TableColumn(numbercolumnsrepeated=columns))
        for n, r in enumerate(rows):
            tr = table.TableRow()
            for cell_token in r:
                cell = table.TableCell(stylename=self.s["cell"], valuetype="string")
                p = text.P(stylename=self.s["cellp"])
                if n == 0:
                    span = text.Span(stylename=self.s["strong"])
                    p.addElement(span)
                    self.inline(span, cell_token)
                else:
                    self.inline(p, cell_token)
                cell.addElement(p)
                tr.addElement(cell)
            tbl.addElement(tr)
        parent.addElement(tbl)
        return i + 1


def to_odt(markdown: str, *, title: str = "", wordcloud_svg: str | None = None) -> bytes:
    """An ODT document of the Markdown (markers and comments are not shown)."""
    markdown, title = xmltext.clean(markdown), xmltext.clean(title)  # an ODT is XML inside a zip
    doc = OpenDocumentText()
    if title:
        from odf import dc

        doc.meta.addElement(dc.Title(text=title))
        doc.meta.addElement(dc.Language(text="fr-FR"))
    writer = _Writer(doc, _styles(doc), wordcloud_svg)
    writer.build(_MD.parse(markdown))
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()
