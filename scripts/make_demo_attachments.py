"""Generate the attachments (full presentations, resolutions, forms...) of demo practices.

Run by hand from the repository root::

    .venv/bin/python scripts/make_demo_attachments.py                 # write the files
    .venv/bin/python scripts/make_demo_attachments.py --check         # compare with disk
    .venv/bin/python scripts/make_demo_attachments.py --verify        # + OCR / pdftotext
    .venv/bin/python scripts/make_demo_attachments.py --update-jsonl  # + JSONL field

Needs (build-time only, not dependencies of the search engine): ``fpdf2``, ``python-docx``,
``odfpy`` and ``Pillow`` in the virtualenv, the DejaVu fonts
(``apt-get install -y fonts-dejavu-core``) and, for ``--verify`` only, ``tesseract``
with Polish data (``tesseract-ocr tesseract-ocr-pol``) and ``pdftotext``
(``poppler-utils``).

Every file lands in ``data/practices/demo/practices-N/<practice id>/<file name>``, the
folder being named after the JSONL file that holds the practice. The texts are written
for this project in Polish: like the demo practices themselves they are invented (real
towns, fictitious people, numbers and resolutions). Each attachment carries one
distinctive sentence, and a distinctive word, found nowhere in the JSONL texts nor in the
other attachments (checked on every run), so tests can search for it: see ``ATTACHMENTS``.

The output is deterministic: creation dates, zip timestamps and document metadata are
fixed, so a run writes the same bytes as the previous one with the same library versions
(the deflate streams of DOCX/ODT depend on the zlib version).

``--update-jsonl`` rewrites ``practices-N.jsonl`` giving each chosen practice the field
``attachments`` (``[{"path": "practices-N/<id>/<file>", "title": "<file>"}, ...]``,
placed right after ``body``); every other line stays byte-identical.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "data" / "practices" / "demo"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FAMILY = "DejaVu"

# Fixed "creation" moment of every generated file (the demo data end in 2013).
FIXED_DATE = datetime(2013, 6, 30, 12, 0, 0, tzinfo=UTC)
ZIP_DATE = (2013, 6, 30, 12, 0, 0)
AUTHOR = "BDP Search – dane demonstracyjne"
CREATOR = "scripts/make_demo_attachments.py"
DEMO_NOTE = (
    "Dokument przykładowy przygotowany na potrzeby demonstracji wyszukiwarki BDP Search. "
    "Miejscowości i instytucje są prawdziwe, lecz treść, liczby i osoby są fikcyjne."
)
SCAN_DPI = 200


# --------------------------------------------------------------------------------------
# Content markup
#
# Each document is written in a tiny markup; blocks are separated by blank lines:
#   "= "  title             "~ "  subtitle            "## " heading
#   "- "  bullet items      "1. " numbered items      "| a | b |" table (1st row: header)
#   "? "  question, then "* " options                 "> "  signature lines
#   "---" page break        anything else: a paragraph
# Lines of a paragraph, title or heading are joined with a space; in item, table,
# question and signature blocks a line starting with a space continues the previous one.
# --------------------------------------------------------------------------------------

Block = tuple[str, Any]

_NUMBERED = re.compile(r"^(\d+[.)])\s+(.*)$")


def _logical_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line[:1].isspace() and out:
            out[-1] += " " + line.strip()
        else:
            out.append(line.strip())
    return out


def parse_markup(markup: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", textwrap.dedent(markup).strip()):
        lines = chunk.splitlines()
        first = lines[0]
        joined = " ".join(line.strip() for line in lines)
        if first.strip() == "---":
            blocks.append(("break", None))
        elif first.startswith("= "):
            blocks.append(("title", joined[2:]))
        elif first.startswith("~ "):
            blocks.append(("subtitle", joined[2:]))
        elif first.startswith("## "):
            blocks.append(("heading", joined[3:]))
        elif first.startswith("- "):
            blocks.append(("list", [("•", item[2:]) for item in _logical_lines(lines)]))
        elif _NUMBERED.match(first):
            items = []
            for item in _logical_lines(lines):
                m = _NUMBERED.match(item)
                if not m:
                    raise ValueError(f"not a numbered item: {item!r}")
                items.append((m.group(1), m.group(2)))
            blocks.append(("list", items))
        elif first.startswith("|"):
            rows = [
                [cell.strip() for cell in row.strip().strip("|").split("|")]
                for row in _logical_lines(lines)
            ]
            if len({len(row) for row in rows}) != 1:
                raise ValueError(f"ragged table: {rows!r}")
            blocks.append(("table", rows))
        elif first.startswith("? "):
            logical = _logical_lines(lines)
            options = [line[2:] for line in logical[1:]]
            if not all(line.startswith("* ") for line in logical[1:]):
                raise ValueError(f"bad question block: {logical!r}")
            blocks.append(("question", (logical[0][2:], options)))
        elif first.startswith("> "):
            blocks.append(("sign", [line[2:] for line in _logical_lines(lines)]))
        else:
            blocks.append(("para", joined))
    return blocks


def block_text(block: Block) -> str:
    kind, value = block
    if kind == "break":
        return ""
    if kind == "list":
        return " ".join(text for _, text in value)
    if kind == "table":
        return " ".join(" ".join(row) for row in value)
    if kind == "question":
        return " ".join([value[0], *value[1]])
    if kind == "sign":
        return " ".join(value)
    return str(value)


_NUMERIC = re.compile(r"^[\d\s.,%/–…-]*\d[\d\s.,%/–…-]*( zł| tys\. zł| dni| godz\.)?$")


def _numeric_columns(rows: list[list[str]]) -> list[bool]:
    body = rows[1:]
    return [
        bool(body) and all(_NUMERIC.match(row[i]) or not row[i] for row in body)
        for i in range(len(rows[0]))
    ]


def _column_weights(rows: list[list[str]]) -> list[float]:
    """Relative column widths: the longest cell, and room for the header's longest word."""
    weights = []
    for i, header in enumerate(rows[0]):
        longest = max(len(row[i]) for row in rows[1:]) if rows[1:] else 0
        word = max((len(w) for w in header.split()), default=0) * 1.4
        weights.append(float(min(42, max(9, longest + 3, word + 2))))
    return weights


# --------------------------------------------------------------------------------------
# Renderers
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    data: bytes
    pages: int | None  # None: depends on the reader (flowing text formats)
    sentence_page: int | None = None


def render_pdf(doc: Attachment) -> Rendered:
    from fpdf import FPDF, XPos, YPos
    from fpdf.fonts import FontFace

    class Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font(FAMILY, "", 7)
            self.set_text_color(110)
            self.multi_cell(0, 3.2, DEMO_NOTE, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.cell(0, 3.6, f"Strona {self.page_no()} z {{nb}}", align="C")
            self.set_text_color(0)

    pdf = Pdf(orientation="P", unit="mm", format="A4")
    pdf.add_font(FAMILY, "", str(FONT))
    pdf.add_font(FAMILY, "B", str(FONT_BOLD if FONT_BOLD.exists() else FONT))
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_title(doc.title)
    pdf.set_author(AUTHOR)
    pdf.set_subject(f"Załącznik do praktyki {doc.practice_id}")
    pdf.set_creator(CREATOR)
    pdf.set_producer("fpdf2")
    pdf.set_lang("pl")
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_page()

    # Pages on which a piece of text holding the distinctive sentence starts and ends.
    sentence_pages: set[int] = set()

    def text(w: float, h: float, s: str, align: str = "L") -> None:
        first_page = pdf.page
        pdf.multi_cell(w, h, s, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if doc.sentence in s:
            sentence_pages.update({first_page, pdf.page})

    for kind, value in doc.blocks:
        first_page = pdf.page
        if kind == "break":
            pdf.add_page()
        elif kind == "title":
            pdf.set_font(FAMILY, "B", 14)
            text(0, 7, value, "C")
            pdf.ln(2)
        elif kind == "subtitle":
            pdf.set_font(FAMILY, "", 10)
            text(0, 5, value, "C")
            pdf.ln(4)
        elif kind == "heading":
            if pdf.will_page_break(35):  # keep a heading with what follows it
                pdf.add_page()
            pdf.ln(1.5)
            pdf.set_font(FAMILY, "B", 11)
            text(0, 6, value)
            pdf.ln(1)
        elif kind == "para":
            pdf.set_font(FAMILY, "", 10)
            text(0, 5.2, value)
            pdf.ln(1.8)
        elif kind == "list":
            pdf.set_font(FAMILY, "", 10)
            for label, item in value:
                pdf.set_x(pdf.l_margin + 2)
                pdf.cell(7, 5.2, label)
                text(0, 5.2, item)
                pdf.ln(0.8)
            pdf.ln(1)
        elif kind == "table":
            pdf.set_font(FAMILY, "", 8.5)
            numeric = _numeric_columns(value)
            with pdf.table(
                col_widths=_column_weights(value),
                text_align=tuple("RIGHT" if n else "LEFT" for n in numeric),
                line_height=4.4,
                padding=1.2,
                headings_style=FontFace(emphasis="BOLD", fill_color=(228, 228, 228)),
            ) as table:
                for row in value:
                    cells = table.row()
                    for cell in row:
                        cells.cell(cell)
            pdf.ln(3)
        elif kind == "question":
            question, options = value
            pdf.set_font(FAMILY, "B", 10)
            text(0, 5.2, question)
            pdf.set_font(FAMILY, "", 10)
            pdf.set_x(pdf.l_margin + 4)
            text(0, 5.6, "     ".join(f"☐ {option}" for option in options))
            pdf.ln(1.5)
        elif kind == "sign":
            pdf.ln(5)
            pdf.set_font(FAMILY, "", 10)
            for line in value:
                text(0, 5.2, line, "R")
        else:
            raise ValueError(kind)
        if kind == "table" and any(doc.sentence in cell for row in value for cell in row):
            sentence_pages.update({first_page, pdf.page})
    if len(sentence_pages) != 1:  # text extraction would put a footer inside it
        raise SystemExit(f"{doc.relpath}: the sentence is split over pages {sentence_pages}")
    return Rendered(bytes(pdf.output()), pdf.pages_count, sentence_pages.pop())


def normalized_zip(data: bytes, first: str | None = None) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes (``first`` entry stays first)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    infos = sorted(source.infolist(), key=lambda info: info.filename != first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in infos:
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = info.compress_type
            entry.create_system = 3
            entry.external_attr = 0o100644 << 16
            level = 9 if info.compress_type == zipfile.ZIP_DEFLATED else None
            target.writestr(entry, source.read(info), compresslevel=level)
    return out.getvalue()


def render_docx(doc: Attachment) -> Rendered:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    props = document.core_properties
    naive = FIXED_DATE.replace(tzinfo=None)
    props.title = doc.title
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.subject = f"Załącznik do praktyki {doc.practice_id}"
    props.comments = DEMO_NOTE
    props.language = "pl-PL"
    props.created = naive
    props.modified = naive
    props.last_printed = naive
    props.revision = 1
    document.styles["Normal"].font.size = Pt(10.5)
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = DEMO_NOTE
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in footer.runs:
        run.font.size = Pt(7)

    for kind, value in doc.blocks:
        if kind == "break":
            document.add_page_break()
        elif kind == "title":
            document.add_heading(value, level=0)
        elif kind == "subtitle":
            document.add_paragraph(value, style="Subtitle")
        elif kind == "heading":
            document.add_heading(value, level=2)
        elif kind == "para":
            document.add_paragraph(value).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        elif kind == "list":
            for label, item in value:
                if label == "•":
                    document.add_paragraph(item, style="List Bullet")
                else:
                    document.add_paragraph(f"{label} {item}").paragraph_format.left_indent = Pt(18)
        elif kind == "table":
            table = document.add_table(rows=len(value), cols=len(value[0]))
            table.style = "Table Grid"
            numeric = _numeric_columns(value)
            for r, row in enumerate(value):
                for c, cell_text in enumerate(row):
                    paragraph = table.cell(r, c).paragraphs[0]
                    run = paragraph.add_run(cell_text)
                    run.bold = r == 0
                    if numeric[c] and r:
                        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            document.add_paragraph()
        elif kind == "question":
            question, options = value
            document.add_paragraph().add_run(question).bold = True
            document.add_paragraph("     ".join(f"☐ {option}" for option in options))
        elif kind == "sign":
            for line in value:
                document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            raise ValueError(kind)
    out = io.BytesIO()
    document.save(out)
    return Rendered(normalized_zip(out.getvalue(), "[Content_Types].xml"), None)


def render_odt(doc: Attachment) -> Rendered:
    from odf import dc, meta
    from odf.opendocument import OpenDocumentText
    from odf.style import (
        FontFace,
        ParagraphProperties,
        Style,
        TableCellProperties,
        TableColumnProperties,
        TableProperties,
        TextProperties,
    )
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    odt = OpenDocumentText()
    odt.meta.addElement(dc.Title(text=doc.title))
    odt.meta.addElement(dc.Subject(text=f"Załącznik do praktyki {doc.practice_id}"))
    odt.meta.addElement(dc.Description(text=DEMO_NOTE))
    odt.meta.addElement(dc.Language(text="pl-PL"))
    odt.meta.addElement(meta.InitialCreator(text=AUTHOR))
    odt.meta.addElement(dc.Creator(text=AUTHOR))
    stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%S")
    odt.meta.addElement(meta.CreationDate(text=stamp))
    odt.meta.addElement(dc.Date(text=stamp))
    odt.fontfacedecls.addElement(
        FontFace(
            name="DejaVu Sans",
            fontfamily="'DejaVu Sans'",
            fontfamilygeneric="swiss",
            fontpitch="variable",
        )
    )

    def paragraph_style(name: str, text: dict[str, str] | None = None, **para: str) -> Style:
        style = Style(name=name, family="paragraph")
        base = {"fontname": "DejaVu Sans", "fontsize": "10pt", "language": "pl", "country": "PL"}
        style.addElement(TextProperties(**{**base, **(text or {})}))
        style.addElement(ParagraphProperties(**{"marginbottom": "0.2cm", **para}))
        odt.styles.addElement(style)
        return style

    bold = {"fontweight": "bold"}
    normal = paragraph_style("Tekst", textalign="justify")
    title = paragraph_style(
        "Tytul", {"fontsize": "15pt", **bold}, textalign="center", marginbottom="0.3cm"
    )
    subtitle = paragraph_style(
        "Podtytul", {"fontstyle": "italic"}, textalign="center", marginbottom="0.5cm"
    )
    heading = paragraph_style("Naglowek", {"fontsize": "11.5pt", **bold}, margintop="0.4cm")
    item = paragraph_style("Punkt", marginleft="0.7cm", textindent="-0.5cm")
    option = paragraph_style("Opcje", marginleft="0.5cm")
    question_style = paragraph_style("Pytanie", bold, margintop="0.2cm", marginbottom="0.1cm")
    sign = paragraph_style("Podpis", textalign="end", marginbottom="0.05cm")
    cell_text = paragraph_style("Komorka", {"fontsize": "9pt"}, marginbottom="0cm")
    cell_head = paragraph_style("KomorkaNaglowek", {"fontsize": "9pt", **bold}, marginbottom="0cm")
    cell_number = paragraph_style(
        "KomorkaLiczba", {"fontsize": "9pt"}, marginbottom="0cm", textalign="end"
    )
    page_break = Style(name="NowaStrona", family="paragraph", parentstylename="Tekst")
    page_break.addElement(ParagraphProperties(breakbefore="page"))
    odt.automaticstyles.addElement(page_break)
    cell_style = Style(name="Ramka", family="table-cell")
    cell_style.addElement(TableCellProperties(border="0.5pt solid #000000", padding="0.1cm"))
    odt.automaticstyles.addElement(cell_style)
    table_style = Style(name="Tabela", family="table")
    table_style.addElement(TableProperties(width="17cm", align="margins"))
    odt.automaticstyles.addElement(table_style)

    pending_break = False

    def add(element: Any) -> None:
        nonlocal pending_break
        if pending_break:
            odt.text.addElement(P(stylename=page_break))
            pending_break = False
        odt.text.addElement(element)

    n_table = 0
    for kind, value in doc.blocks:
        if kind == "break":
            pending_break = True
        elif kind == "title":
            add(H(outlinelevel=1, stylename=title, text=value))
        elif kind == "subtitle":
            add(P(stylename=subtitle, text=value))
        elif kind == "heading":
            add(H(outlinelevel=2, stylename=heading, text=value))
        elif kind == "para":
            add(P(stylename=normal, text=value))
        elif kind == "list":
            for label, text in value:
                add(P(stylename=item, text=f"{label}\u00a0{text}"))
        elif kind == "table":
            n_table += 1
            numeric = _numeric_columns(value)
            weights = _column_weights(value)
            table = Table(name=f"Tabela{n_table}", stylename=table_style)
            for c, weight in enumerate(weights):
                column_style = Style(name=f"Tabela{n_table}.K{c}", family="table-column")
                width = 17 * weight / sum(weights)
                column_style.addElement(TableColumnProperties(columnwidth=f"{width:.2f}cm"))
                odt.automaticstyles.addElement(column_style)
                table.addElement(TableColumn(stylename=column_style))
            for r, row in enumerate(value):
                table_row = TableRow()
                for c, text in enumerate(row):
                    style = cell_head if r == 0 else cell_number if numeric[c] else cell_text
                    cell = TableCell(valuetype="string", stylename=cell_style)
                    cell.addElement(P(stylename=style, text=text))
                    table_row.addElement(cell)
                table.addElement(table_row)
            add(table)
            add(P(stylename=normal))
        elif kind == "question":
            question, options = value
            add(P(stylename=question_style, text=question))
            add(P(stylename=option, text="     ".join(f"☐ {o}" for o in options)))
        elif kind == "sign":
            for line in value:
                add(P(stylename=sign, text=line))
        else:
            raise ValueError(kind)
    out = io.BytesIO()
    odt.write(out)
    return Rendered(normalized_zip(out.getvalue(), "mimetype"), None)


def rtf_escape(text: str) -> str:
    """Escape for an RTF with \\ansicpg1250: cp1250 bytes as \\'xx, the rest as \\uN?."""
    out = []
    for ch in text:
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ch == "\u00a0":
            out.append("\\~")
        elif ord(ch) < 128:
            out.append(ch)
        else:
            try:
                out.append(f"\\'{ch.encode('cp1250')[0]:02x}")
            except UnicodeEncodeError:
                code = ord(ch)
                out.append(f"\\u{code if code < 32768 else code - 65536}?")
    return "".join(out)


def render_rtf(doc: Attachment) -> Rendered:
    date = FIXED_DATE
    rtime = f"\\yr{date.year}\\mo{date.month}\\dy{date.day}\\hr{date.hour}\\min{date.minute}"
    out = [
        "{\\rtf1\\ansi\\ansicpg1250\\deff0\\deflang1045\\uc1",
        "{\\fonttbl{\\f0\\fswiss\\fcharset238 DejaVu Sans;}}",
        f"{{\\info{{\\title {rtf_escape(doc.title)}}}{{\\author {rtf_escape(AUTHOR)}}}"
        f"{{\\creatim{rtime}}}{{\\revtim{rtime}}}}}",
        "\\paperw11906\\paperh16838\\margl1418\\margr1418\\margt1134\\margb1134",
        "{\\footer\\pard\\qc\\fs14 " + rtf_escape(DEMO_NOTE) + "\\par}",
    ]
    text_width = 11906 - 2 * 1418
    for kind, value in doc.blocks:
        if kind == "break":
            out.append("\\page")
        elif kind == "title":
            out.append("\\pard\\qc\\sa120\\b\\fs30 " + rtf_escape(value) + "\\b0\\par")
        elif kind == "subtitle":
            out.append("\\pard\\qc\\sa240\\i\\fs20 " + rtf_escape(value) + "\\i0\\par")
        elif kind == "heading":
            out.append("\\pard\\keepn\\sb240\\sa120\\b\\fs23 " + rtf_escape(value) + "\\b0\\par")
        elif kind == "para":
            out.append("\\pard\\qj\\sa120\\fs21 " + rtf_escape(value) + "\\par")
        elif kind == "list":
            for label, item in value:
                out.append(
                    "\\pard\\qj\\fi-340\\li680\\sa60\\fs21 "
                    + rtf_escape(label)
                    + "\\tab "
                    + rtf_escape(item)
                    + "\\par"
                )
        elif kind == "table":
            weights = _column_weights(value)
            numeric = _numeric_columns(value)
            edges, acc = [], 0.0
            for weight in weights:
                acc += weight
                edges.append(round(text_width * acc / sum(weights)))
            border = "".join(f"\\clbrdr{side}\\brdrs\\brdrw10" for side in "tlbr")
            for r, row in enumerate(value):
                cells = "".join(f"{border}\\cellx{edge}" for edge in edges)
                out.append("\\trowd\\trgaph70\\trleft0" + cells)
                parts = []
                for c, cell in enumerate(row):
                    align = "\\qr" if numeric[c] and r else "\\ql"
                    text = rtf_escape(cell)
                    if r == 0:
                        text = "\\b " + text + "\\b0"
                    parts.append(f"\\pard\\intbl{align}\\fs18 {text}\\cell")
                out.append("".join(parts) + "\\row")
            out.append("\\pard\\sa120\\fs21\\par")
        elif kind == "question":
            question, options = value
            out.append("\\pard\\sb120\\sa60\\b\\fs21 " + rtf_escape(question) + "\\b0\\par")
            joined = "     ".join(f"☐ {option}" for option in options)
            out.append("\\pard\\li340\\sa120\\fs21 " + rtf_escape(joined) + "\\par")
        elif kind == "sign":
            out.append("\\pard\\sb240\\fs21\\par")
            for line in value:
                out.append("\\pard\\qr\\sa40\\fs21 " + rtf_escape(line) + "\\par")
        else:
            raise ValueError(kind)
    out.append("}")
    return Rendered(("\r\n".join(out) + "\r\n").encode("ascii"), None)


def render_txt(doc: Attachment) -> Rendered:
    out: list[str] = []
    for kind, value in doc.blocks:
        if kind == "break":
            continue
        if kind == "title":
            out += [value, "=" * min(len(value), 78), ""]
        elif kind == "subtitle":
            out += [value, ""]
        elif kind == "heading":
            out += [value, "-" * min(len(value), 78), ""]
        elif kind == "para":
            out += [value, ""]
        elif kind == "list":
            out += [f"{'-' if label == '•' else label} {item}" for label, item in value] + [""]
        elif kind == "table":
            widths = [max(len(row[i]) for row in value) for i in range(len(value[0]))]
            numeric = _numeric_columns(value)
            for r, row in enumerate(value):
                cells = [
                    cell.rjust(w) if numeric[c] and r else cell.ljust(w)
                    for c, (cell, w) in enumerate(zip(row, widths, strict=True))
                ]
                out.append(" | ".join(cells).rstrip())
                if r == 0:
                    out.append("-+-".join("-" * w for w in widths))
            out.append("")
        elif kind == "question":
            question, options = value
            out += [question, "   ".join(f"[ ] {option}" for option in options), ""]
        elif kind == "sign":
            out += [*value, ""]
        else:
            raise ValueError(kind)
    out += ["--", DEMO_NOTE]
    return Rendered(("\n".join(out) + "\n").encode("utf-8"), None)


def render_scan_image(doc: Attachment) -> Any:
    """One A4 page at 200 dpi, 1-bit: black DejaVu text, a stamp, a signature, dust."""
    from PIL import Image, ImageChops, ImageDraw, ImageFont

    width, height = round(8.27 * SCAN_DPI), round(11.69 * SCAN_DPI)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    regular = ImageFont.truetype(str(FONT), 29)
    bold = ImageFont.truetype(str(FONT_BOLD), 31)
    small = ImageFont.truetype(str(FONT), 19)
    left, right, y = 205, width - 185, 215
    line_height = 41

    def wrap(text: str, font: Any, w: float) -> list[str]:
        lines, current = [], ""
        for word in text.split():
            candidate = f"{current} {word}".strip()
            if current and draw.textlength(candidate, font=font) > w:
                lines.append(current)
                current = word
            else:
                current = candidate
        return [*lines, current] if current else lines

    sign_box: tuple[int, int] = (0, 0)
    for kind, value in doc.blocks:
        if kind in ("title", "subtitle"):
            font = bold if kind == "title" else regular
            for line in wrap(value, font, right - left):
                x = (left + right - draw.textlength(line, font=font)) / 2
                draw.text((x, y), line, font=font, fill=0)
                y += line_height + 2
            y += 14 if kind == "subtitle" else 4
        elif kind == "heading":
            y += 8
            for line in wrap(value, bold, right - left):
                x = (left + right - draw.textlength(line, font=bold)) / 2
                draw.text((x, y), line, font=bold, fill=0)
                y += line_height
        elif kind in ("para", "list"):
            items = [("", value)] if kind == "para" else value
            for label, text in items:
                indent = 0 if not label else 50
                if label:
                    draw.text((left, y), label, font=regular, fill=0)
                for line in wrap(text, regular, right - left - indent):
                    draw.text((left + indent, y), line, font=regular, fill=0)
                    y += line_height
            y += 12
        elif kind == "sign":
            y += 30
            sign_box = (y, y + line_height * len(value))
            for line in value:
                x = right - draw.textlength(line, font=regular)
                draw.text((x, y), line, font=regular, fill=0)
                y += line_height
        else:
            raise ValueError(f"scan cannot render {kind}")
    if y > height - 200:
        raise RuntimeError(f"{doc.relpath}: text does not fit on the scanned page")

    rng = random.Random(20090624)
    # A hand signature between the signature lines, left of the name.
    top = sign_box[0] + line_height + 4
    points = []
    for i in range(30):
        x = right - 560 + i * 8
        points.append((x, top + 14 * (-1) ** i * rng.random() + 8 * (i % 7 == 0)))
    draw.line(points, fill=0, width=3, joint="curve")
    # A rectangular office stamp at the left of the signature.
    stamp = Image.new("L", (430, 150), 255)
    stamp_draw = ImageDraw.Draw(stamp)
    stamp_draw.rectangle((2, 2, 427, 147), outline=0, width=4)
    stamp_draw.rectangle((12, 12, 417, 137), outline=0, width=1)
    for i, line in enumerate(("RADA MIEJSKA", "W KOZIEGŁOWACH", "pow. myszkowski")):
        font = ImageFont.truetype(str(FONT_BOLD if i < 2 else FONT), 30 if i < 2 else 22)
        x = (430 - stamp_draw.textlength(line, font=font)) / 2
        stamp_draw.text((x, 20 + i * 38), line, font=font, fill=60)
    stamp = stamp.rotate(4, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    at = (left + 20, sign_box[0] - 10)
    region = (at[0], at[1], at[0] + stamp.width, at[1] + stamp.height)
    image.paste(ImageChops.darker(image.crop(region), stamp), at)
    # Footer note, as a photocopied page would carry it.
    for i, line in enumerate(wrap(DEMO_NOTE, small, right - left)):
        x = (left + right - draw.textlength(line, font=small)) / 2
        draw.text((x, height - 150 + i * 26), line, font=small, fill=0)
    # Scanner dust and a shadow along the left edge.
    for _ in range(160):
        x, y0 = rng.randrange(width), rng.randrange(height)
        r = rng.choice((1, 1, 1, 2))
        draw.ellipse((x - r, y0 - r, x + r, y0 + r), fill=0)
    pixels = image.load()
    assert pixels is not None
    for x in range(16):
        for y0 in range(0, height, 2):
            if rng.random() < (16 - x) / 22:
                pixels[x, y0] = 0
    image = image.rotate(0.35, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return image.convert("1", dither=Image.Dither.NONE)


def render_scan(doc: Attachment) -> Rendered:
    image = render_scan_image(doc)
    out = io.BytesIO()
    date = FIXED_DATE.utctimetuple()
    image.save(
        out,
        "PDF",
        resolution=float(SCAN_DPI),
        title=doc.title,
        author=AUTHOR,
        subject=f"Załącznik do praktyki {doc.practice_id} (skan, bez warstwy tekstowej)",
        creator=CREATOR,
        producer="Pillow",
        creationDate=date,
        modDate=date,
    )
    return Rendered(out.getvalue(), 1, 1)


RENDERERS = {
    "pdf": render_pdf,
    "docx": render_docx,
    "odt": render_odt,
    "rtf": render_rtf,
    "txt": render_txt,
    "scan": render_scan,
}
FORMAT_NAMES = {
    "pdf": "PDF (fpdf2, DejaVu Sans)",
    "docx": "DOCX (python-docx)",
    "odt": "ODT (odfpy)",
    "rtf": "RTF (cp1250)",
    "txt": "TXT (UTF-8)",
    "scan": "PDF, scanned image only (Pillow, 1-bit CCITT G4, 200 dpi)",
}


# --------------------------------------------------------------------------------------
# The attachments
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    practice_id: str
    collection: str  # the JSONL file's stem, e.g. "practices-1"
    filename: str
    kind: str  # a key of RENDERERS
    title: str  # document title (metadata)
    sentence: str  # distinctive sentence, found in no JSONL text
    word: str  # distinctive word, found in no JSONL text nor other attachment
    markup: str
    sentence_page: int | None = None  # required page of the sentence (PDF)

    @property
    def relpath(self) -> str:
        """Path relative to the JSONL file's folder (the ``attachments[].path``)."""
        return f"{self.collection}/{self.practice_id}/{self.filename}"

    @property
    def blocks(self) -> list[Block]:
        return parse_markup(self.markup)


ATTACHMENTS: tuple[Attachment, ...] = (
    Attachment(
        practice_id="demo-001",
        collection="practices-1",
        filename="Regulamin biblioteki.pdf",
        kind="pdf",
        title="Regulamin korzystania z Miejskiej Biblioteki Publicznej w Kłodzku",
        sentence=(
            "Parasole, hulajnogi i mokre okrycia wierzchnie należy zostawić w szatni na parterze."
        ),
        word="hulajnogi",
        markup="""
            = Regulamin korzystania z Miejskiej Biblioteki Publicznej w Kłodzku

            ~ Załącznik do Zarządzenia nr 9/2007 Dyrektora Miejskiej Biblioteki Publicznej
            w Kłodzku z dnia 3 września 2007 r.

            ## § 1. Postanowienia ogólne

            1. Miejska Biblioteka Publiczna w Kłodzku, ul. Wojska Polskiego 7, udostępnia
              swoje zbiory i usługi wszystkim zainteresowanym, bez względu na wiek i miejsce
              zamieszkania.
            2. Korzystanie z wypożyczalni, czytelni, czytelni internetowej, kącika dla dzieci
              i sali wystawowo-warsztatowej jest bezpłatne, z wyjątkiem opłat wymienionych
              w § 7.
            3. Budynek jest dostępny dla osób poruszających się na wózkach: do wejścia
              prowadzi podjazd, a winda obsługuje wszystkie kondygnacje.

            ## § 2. Zapisy i karta biblioteczna

            1. Przy zapisie czytelnik okazuje dokument tożsamości i podpisuje zobowiązanie do
              przestrzegania regulaminu. Za dzieci do lat 13 zobowiązanie podpisuje rodzic
              lub opiekun prawny.
            2. Czytelnik otrzymuje bezpłatnie kartę biblioteczną z kodem kreskowym, która
              uprawnia także do korzystania z katalogu online i zamawiania książek przez
              internet.
            3. Zgubienie karty należy niezwłocznie zgłosić bibliotekarzowi. Duplikat karty
              wydaje się za opłatą 5 zł.

            ## § 3. Wypożyczalnia

            1. Jednorazowo można wypożyczyć do 5 książek i 3 audiobooków na okres 30 dni.
            2. Termin zwrotu można dwukrotnie przedłużyć – osobiście, telefonicznie lub przez
              konto w katalogu online – jeżeli na dany egzemplarz nie czeka inny czytelnik.
            3. Książki z powiększoną czcionką i audiobooki udostępnia się w pierwszej
              kolejności seniorom oraz osobom słabowidzącym.

            ## § 4. Czytelnia internetowa

            1. Czytelnia internetowa dysponuje 18 stanowiskami komputerowymi z dostępem do
              internetu i edytorem tekstu.
            2. Stanowisko można zarezerwować na 60 minut dziennie; czas ten wydłuża się,
              jeżeli nikt nie oczekuje na wolny komputer.
            3. Osoby poszukujące pracy mogą bezpłatnie wydrukować do 10 stron dziennie
              (życiorys, list motywacyjny, formularze urzędowe).
            4. Zabrania się instalowania własnego oprogramowania i zmieniania ustawień
              komputerów.

            ## § 5. Usługa „Książka na telefon”

            1. Osoby niepełnosprawne, przewlekle chore i seniorzy, którzy nie mogą
              samodzielnie przyjść do biblioteki, zamawiają książki i audiobooki pod numerem
              555 120 342.
            2. Zamówione zbiory dostarczają do domu wolontariusze Stowarzyszenia Uniwersytet
              Trzeciego Wieku, raz na dwa tygodnie, w uzgodnionym dniu.
            3. Wolontariusz okazuje identyfikator wydany przez bibliotekę i nie pobiera
              żadnych opłat.

            ## § 6. Zasady porządkowe

            1. W pomieszczeniach biblioteki obowiązuje cisza, z wyjątkiem kącika dla dzieci
              oraz sali wystawowo-warsztatowej w czasie zajęć.
            2. Parasole, hulajnogi i mokre okrycia wierzchnie należy zostawić w szatni na
              parterze.
            3. Dzieci do lat 7 mogą przebywać w bibliotece wyłącznie pod opieką dorosłych.

            ## § 7. Opłaty i odpowiedzialność za zbiory

            1. Za przetrzymanie zbiorów ponad termin pobiera się opłatę w wysokości 10 gr za
              każdy dzień i każdy egzemplarz.
            2. Za zgubioną lub zniszczoną książkę czytelnik odkupuje ten sam tytuł albo –
              w porozumieniu z bibliotekarzem – inny o zbliżonej wartości.

            ## § 8. Postanowienia końcowe

            1. Skargi i wnioski przyjmuje dyrektor biblioteki w godzinach jej otwarcia.
            2. Regulamin wchodzi w życie z dniem 3 września 2007 r. Jest dostępny
              w wypożyczalni, w czytelni oraz na stronie www.biblioteka.klodzko.pl.

            > Dyrektor Miejskiej Biblioteki Publicznej w Kłodzku
            > Barbara Przykładowa
        """,
    ),
    Attachment(
        practice_id="demo-004",
        collection="practices-1",
        filename="kwestionariusz_uczestnika.odt",
        kind="odt",
        title="Kwestionariusz uczestnika programu „Zdrowe serce Podhala”",
        sentence="Jak często jada Pan/Pani oscypki, boczek, smalec lub inne tłuste produkty?",
        word="oscypki",
        markup="""
            = Kwestionariusz uczestnika programu „Zdrowe serce Podhala”

            ~ Powiatowy program profilaktyki chorób układu krążenia – badanie w mobilnym
            punkcie diagnostycznym, edycja 2008

            Kwestionariusz wypełnia uczestnik przed badaniem, a część C – pielęgniarka
            w ambulansie diagnostycznym. Program jest przeznaczony dla mieszkańców powiatu
            nowotarskiego w wieku 35–65 lat. Odpowiedzi są wykorzystywane wyłącznie na
            potrzeby programu i w zestawieniach zbiorczych, bez nazwisk uczestników.

            ## Część A. Dane uczestnika

            | Pole | Odpowiedź |
            | Numer karty uczestnika | |
            | Rok urodzenia | |
            | Płeć | ☐ kobieta     ☐ mężczyzna |
            | Gmina zamieszkania | |
            | Data i miejsce postoju ambulansu | |

            ## Część B. Styl życia i wywiad rodzinny

            ? 1. Czy pali Pan/Pani papierosy?
            * nie, nigdy
            * rzuciłem/rzuciłam
            * tak, do 10 dziennie
            * tak, więcej niż 10 dziennie

            ? 2. Ile razy w tygodniu uprawia Pan/Pani ruch trwający co najmniej 30 minut
              (szybki marsz, praca w polu, rower)?
            * ani razu
            * 1–2 razy
            * 3 razy lub więcej

            ? 3. Jak często jada Pan/Pani oscypki, boczek, smalec lub inne tłuste produkty?
            * codziennie
            * kilka razy w tygodniu
            * rzadziej

            ? 4. Czy u rodziców lub rodzeństwa przed 60. rokiem życia wystąpił zawał serca lub
              udar mózgu?
            * tak
            * nie
            * nie wiem

            ? 5. Kiedy ostatnio mierzono Panu/Pani ciśnienie tętnicze?
            * w ostatnim roku
            * 1–5 lat temu
            * ponad 5 lat temu lub nigdy

            ? 6. Skąd dowiedział się Pan/Pani o badaniu?
            * od sołtysa
            * w parafii
            * z lokalnego radia
            * od lekarza rodzinnego

            ## Część C. Wyniki pomiarów (wypełnia pielęgniarka)

            | Pomiar | Wynik | Wartość prawidłowa |
            | Ciśnienie tętnicze | ….../….. mm Hg | poniżej 140/90 mm Hg |
            | Cholesterol całkowity | ……… mg/dl | poniżej 190 mg/dl |
            | Glukoza na czczo | ……… mg/dl | 70–99 mg/dl |
            | Obwód talii | ……… cm | kobiety poniżej 80 cm, mężczyźni poniżej 94 cm |
            | EKG spoczynkowe | ☐ prawidłowe     ☐ do konsultacji | |

            ## Część D. Zalecenia

            - ☐ wyniki prawidłowe – kolejne badanie za 3 lata
            - ☐ skierowanie do lekarza rodzinnego
            - ☐ skierowanie do poradni specjalistycznej Podhalańskiego Szpitala
              Specjalistycznego w Nowym Targu

            Rozmowa z pielęgniarką o wynikach trwa około 10 minut. Uczestnik otrzymuje kopię
            części C i ulotkę o zdrowym odżywianiu przygotowaną przez Starostwo Powiatowe
            w Nowym Targu.
        """,
    ),
    Attachment(
        practice_id="demo-007",
        collection="practices-1",
        filename="Sprawozdanie z budżetu zadaniowego 2009.pdf",
        kind="pdf",
        title="Sprawozdanie z realizacji budżetu zadaniowego Gminy Miejskiej Tczew za 2009 rok",
        sentence=(
            "Najtrudniej było zmierzyć efekty pielęgnacji zieleni przydrożnej, dlatego jako "
            "miernik przyjęto koszt koszenia jednego hektara poboczy."
        ),
        word="poboczy",
        sentence_page=3,
        markup="""
            = Sprawozdanie z realizacji budżetu zadaniowego Gminy Miejskiej Tczew za 2009 rok

            ~ Informacja Burmistrza Miasta Tczewa przedłożona Radzie Miejskiej wraz ze
            sprawozdaniem z wykonania budżetu

            ## Spis treści

            1. Wprowadzenie – s. 1
            2. Wykonanie wydatków według obszarów – s. 2
            3. Mierniki realizacji zadań – s. 3
            4. Wieloletni Plan Inwestycyjny i karta oceny projektów – s. 4
            5. Wnioski i rekomendacje – s. 5

            ## 1. Wprowadzenie

            Budżet zadaniowy Tczewa jest od 2007 roku uchwalany równolegle z budżetem
            w układzie działów i rozdziałów klasyfikacji budżetowej. Rok 2009 był trzecim
            rokiem jego stosowania i pierwszym, w którym wszystkie jednostki organizacyjne
            miasta raportowały wartości mierników co kwartał, za pomocą systemu
            informatycznego do planowania i monitorowania wydatków.

            Katalog obejmuje 146 zadań publicznych pogrupowanych w 12 obszarów. Dla każdego
            zadania określono cel, mierniki produktu i rezultatu oraz osobę odpowiedzialną za
            jego realizację. Sprawozdanie przedstawia wykonanie wydatków w poszczególnych
            obszarach, stopień osiągnięcia zaplanowanych wartości mierników, stan
            Wieloletniego Planu Inwestycyjnego oraz wnioski na kolejne lata.

            Sprawozdanie przygotował zespół ds. budżetu zadaniowego działający pod kierunkiem
            Skarbnika Miasta, w oparciu o informacje przekazane przez naczelników wydziałów
            Urzędu Miejskiego i dyrektorów jednostek organizacyjnych. Kwoty podano
            w tysiącach złotych.

            ---

            ## 2. Wykonanie wydatków według obszarów

            | Obszar | Liczba zadań | Plan (tys. zł) | Wykonanie (tys. zł) | Wykonanie (%) |
            | Edukacja | 24 | 68 420 | 67 115 | 98,1 |
            | Transport publiczny i drogi | 15 | 21 350 | 19 870 | 93,1 |
            | Pomoc społeczna | 18 | 24 180 | 23 640 | 97,8 |
            | Gospodarka komunalna i mieszkaniowa | 16 | 18 760 | 17 905 | 95,4 |
            | Ochrona środowiska | 9 | 6 240 | 5 610 | 89,9 |
            | Kultura i dziedzictwo | 10 | 7 930 | 7 802 | 98,4 |
            | Sport i rekreacja | 8 | 5 480 | 5 215 | 95,2 |
            | Bezpieczeństwo publiczne | 7 | 3 120 | 3 054 | 97,9 |
            | Ochrona zdrowia | 6 | 1 860 | 1 772 | 95,3 |
            | Rozwój gospodarczy i promocja | 9 | 2 750 | 2 418 | 87,9 |
            | Administracja i obsługa mieszkańców | 14 | 19 640 | 19 012 | 96,8 |
            | Planowanie przestrzenne i inwestycje | 10 | 27 300 | 22 930 | 84,0 |
            | Razem | 146 | 207 030 | 196 343 | 94,8 |

            Najniższy stopień wykonania wydatków dotyczy obszaru planowania przestrzennego
            i inwestycji. Wynika on z przesunięcia na 2010 rok dwóch zadań drogowych, dla
            których przedłużyła się procedura przetargowa, oraz z oszczędności uzyskanych
            w przetargach na roboty budowlane. Środki niewykorzystane w 2009 roku ujęto
            w Wieloletnim Planie Inwestycyjnym na kolejne lata.

            W obszarze rozwoju gospodarczego i promocji nie zrealizowano w całości zadania
            dotyczącego targów inwestycyjnych, z których udziału miasto zrezygnowało po
            analizie kosztów i spodziewanych efektów. Pozostałe obszary wykonano w ponad 89%.

            ---

            ## 3. Mierniki realizacji zadań

            Dla 146 zadań zdefiniowano łącznie 412 mierników, z czego 71% osiągnęło lub
            przekroczyło wartości planowane. Poniżej przedstawiono wybrane mierniki, które
            Komisja Budżetu i Finansów Rady Miejskiej uznała za kluczowe.

            | Zadanie | Miernik | Plan | Wykonanie |
            | Utrzymanie dróg gminnych | koszt utrzymania 1 km drogi (zł) | 38 500 | 36 900 |
            | Prowadzenie szkół podstawowych | liczba uczniów na oddział | 22,0 | 21,4 |
            | Wydawanie decyzji administracyjnych | średni czas oczekiwania na decyzję
              (dni) | 21 | 17 |
            | Zimowe utrzymanie ulic | czas od wezwania do rozpoczęcia odśnieżania
              (godz.) | 4,0 | 3,5 |
            | Usługi opiekuńcze | koszt godziny usług opiekuńczych (zł) | 14,20 | 14,05 |
            | Obsługa mieszkańców | odsetek spraw załatwionych w dniu zgłoszenia (%) | 60 |
              64 |
            | Pielęgnacja zieleni przydrożnej | koszt koszenia 1 ha (zł) | 420 | 465 |

            Najtrudniej było zmierzyć efekty pielęgnacji zieleni przydrożnej, dlatego jako
            miernik przyjęto koszt koszenia jednego hektara poboczy.

            Przekroczenie planowanej wartości tego miernika wynikało z dodatkowego, trzeciego
            cyklu prac w deszczowym lecie 2009 roku. Wśród pozostałych mierników
            najwyraźniejszą poprawę odnotowano w obsłudze mieszkańców: skrócił się czas
            oczekiwania na decyzje administracyjne, a większość spraw załatwia się w dniu
            zgłoszenia.

            W 2009 roku po raz pierwszy porównano wybrane mierniki Tczewa z danymi pięciu
            miast o podobnej liczbie mieszkańców, uczestniczących w tym samym programie
            szkoleniowym. Porównanie wykazało, że koszt utrzymania 1 km drogi jest w Tczewie
            o 6% niższy od średniej, a liczba uczniów na oddział – zbliżona do średniej.

            ---

            ## 4. Wieloletni Plan Inwestycyjny i karta oceny projektów

            Wieloletni Plan Inwestycyjny na lata 2009–2013 obejmuje 38 przedsięwzięć
            o łącznej wartości 214,6 mln zł. Każdy wniosek inwestycyjny zgłoszony przez
            wydział lub jednostkę organizacyjną jest oceniany według jednolitej karty
            punktowej. Do planu wpisuje się projekty, które uzyskały co najmniej 50 punktów.

            | Kryterium oceny wniosku inwestycyjnego | Maksymalna liczba punktów |
            | Zgodność z priorytetami Strategii Rozwoju Miasta | 30 |
            | Szanse pozyskania środków zewnętrznych | 25 |
            | Roczne koszty eksploatacji nowego obiektu | 20 |
            | Stan przygotowania dokumentacji i pozwoleń | 15 |
            | Liczba mieszkańców korzystających z efektów | 10 |
            | Razem | 100 |

            W 2009 roku oceniono 27 nowych wniosków; 11 z nich wpisano do planu, a 6
            odłożono do czasu uzupełnienia dokumentacji. Liczba zmian planu inwestycyjnego
            wprowadzanych w ciągu roku spadła z 34 w 2006 roku do 16 w roku 2009.

            ---

            ## 5. Wnioski i rekomendacje

            Udział wydatków inwestycyjnych współfinansowanych z funduszy zewnętrznych
            wyniósł w 2009 roku 33% wobec 18% w roku 2006, ostatnim przed wprowadzeniem
            budżetu zadaniowego. Zespół rekomenduje:

            - ograniczenie liczby mierników do tych, które rzeczywiście wykorzystuje się przy
              planowaniu – w wielu zadaniach wystarczą dwa lub trzy;
            - powiązanie mierników kosztowych z ewidencją majątku, tak aby uwzględniały
              amortyzację budynków i sprzętu;
            - publikowanie uproszczonej wersji budżetu zadaniowego dla mieszkańców także
              w formie broszury dołączanej do gazety miejskiej;
            - kontynuowanie szkoleń z zarządzania przez cele dla nowych kierowników
              wydziałów i dyrektorów jednostek organizacyjnych.

            > Tczew, 31 marca 2010 r.
            > Sporządziła: Ewa Modelowa, Wydział Finansowo-Budżetowy
        """,
    ),
    Attachment(
        practice_id="demo-011",
        collection="practices-1",
        filename="Uchwała w sprawie konsultacji społecznych.pdf",
        kind="pdf",
        title="Uchwała nr XXI/214/2008 Rady Miejskiej w Serocku",
        sentence=(
            "Streszczenie projektu nie może być dłuższe niż dwie strony maszynopisu i powinno "
            "być zrozumiałe dla ucznia gimnazjum."
        ),
        word="maszynopisu",
        markup="""
            = Uchwała nr XXI/214/2008 Rady Miejskiej w Serocku z dnia 27 lutego 2008 r.

            ~ w sprawie określenia zasad i trybu przeprowadzania konsultacji społecznych
            z mieszkańcami Miasta i Gminy Serock

            Na podstawie art. 5a ust. 2 ustawy z dnia 8 marca 1990 r. o samorządzie gminnym
            Rada Miejska w Serocku uchwala, co następuje:

            ## § 1

            Konsultacje społeczne przeprowadza się w sprawach ważnych dla gminy,
            w szczególności przed przyjęciem strategii rozwoju, programów i miejscowych
            planów zagospodarowania przestrzennego oraz przed podjęciem decyzji o lokalizacji
            dróg i dostępie do linii brzegowej Zalewu Zegrzyńskiego.

            ## § 2

            Konsultacje zarządza Burmistrz Miasta i Gminy Serock z własnej inicjatywy albo na
            wniosek co najmniej pięciu radnych, Młodzieżowej Rady Miejskiej, rady sołeckiej
            lub co najmniej 100 mieszkańców.

            ## § 3

            1. Projekt dokumentu poddawanego konsultacjom publikuje się na stronie
              internetowej gminy i w Biuletynie Informacji Publicznej wraz z ankietą oraz
              streszczeniem napisanym prostym językiem.
            2. Streszczenie projektu nie może być dłuższe niż dwie strony maszynopisu
              i powinno być zrozumiałe dla ucznia gimnazjum.
            3. Ogłoszenie o konsultacjach wywiesza się także na tablicach ogłoszeń we
              wszystkich sołectwach.

            ## § 4

            1. Uwagi można zgłaszać osobiście w Urzędzie Miasta i Gminy, ul. Rynek 21,
              listownie, przez formularz internetowy oraz podczas otwartych spotkań
              konsultacyjnych.
            2. Termin zgłaszania uwag nie może być krótszy niż 21 dni od dnia ogłoszenia
              konsultacji.

            ## § 5

            Burmistrz co najmniej dwa razy w roku uczestniczy w zebraniach wiejskich we
            wszystkich sołectwach. Z każdego zebrania sporządza się protokół zawierający
            listę zgłoszonych spraw, wskazanie osoby odpowiedzialnej i termin udzielenia
            odpowiedzi.

            ## § 6

            Projekty dokumentów dotyczących młodzieży, w szczególności oferty zajęć
            pozalekcyjnych i rozkładu jazdy autobusów, przekazuje się do zaopiniowania
            Młodzieżowej Radzie Miejskiej.

            ## § 7

            W terminie 30 dni od zakończenia konsultacji Burmistrz publikuje raport
            zawierający zestawienie zgłoszonych uwag wraz ze stanowiskiem wobec każdej
            z nich. Wyniki konsultacji nie są wiążące dla organów gminy.

            ## § 8

            Wykonanie uchwały powierza się Burmistrzowi Miasta i Gminy Serock.

            ## § 9

            Uchwała wchodzi w życie po upływie 14 dni od dnia ogłoszenia w Dzienniku
            Urzędowym Województwa Mazowieckiego.

            > Przewodniczący Rady Miejskiej
            > Józef Zmyślony

            ## Uzasadnienie

            Szybki rozwój zabudowy w gminie rodzi spory wokół planów miejscowych, przebiegu
            dróg i dostępu do Zalewu Zegrzyńskiego. Ogłoszenia na tablicy urzędu nie docierają
            do wielu mieszkańców, zwłaszcza nowych. Projekt uchwały omówiono wcześniej
            z sołtysami i przedstawicielami lokalnych stowarzyszeń, a ich uwagi – m.in.
            o wydłużeniu terminu zgłaszania opinii – zostały uwzględnione.
        """,
    ),
    Attachment(
        practice_id="demo-024",
        collection="practices-2",
        filename="Program KIS Nowy Start.pdf",
        kind="pdf",
        title="Program zajęć Klubu Integracji Społecznej „Nowy Start” – edycja 2010",
        sentence=(
            "We wrześniu uczestnicy kursu florystycznego wykonają wieńce dożynkowe dla "
            "wszystkich sołectw gminy."
        ),
        word="dożynkowe",
        markup="""
            = Program zajęć Klubu Integracji Społecznej „Nowy Start”

            ~ Gminny Ośrodek Pomocy Społecznej w Dąbrowie Chełmińskiej – edycja 2010,
            zajęcia w budynku dawnej szkoły w Czarżu

            ## 1. Cel programu

            Klub pomaga osobom długotrwale bezrobotnym i korzystającym ze świadczeń pomocy
            społecznej w powrocie na rynek pracy. Każdy uczestnik podpisuje kontrakt socjalny
            i realizuje indywidualną ścieżkę reintegracji, przygotowaną przez pracownika
            socjalnego GOPS i doradcę zawodowego z Powiatowego Urzędu Pracy w Bydgoszczy.
            W edycji 2010 w zajęciach uczestniczy 30 osób z ośmiu sołectw.

            ## 2. Moduły zajęć

            | Moduł | Liczba godzin | Prowadzący |
            | Trening umiejętności społecznych i warsztaty psychologiczne | 40 | psycholog |
            | Doradztwo zawodowe, dokumenty aplikacyjne, rozmowa kwalifikacyjna | 24 |
              doradca zawodowy PUP |
            | Kurs: opiekunka osób starszych | 120 | ośrodek szkoleniowy |
            | Kurs: operator wózka widłowego z egzaminem | 67 | ośrodek szkoleniowy |
            | Kurs: pracownik gospodarczy | 80 | ośrodek szkoleniowy |
            | Kurs: florysta | 90 | ośrodek szkoleniowy |
            | Prace społecznie użyteczne przy świetlicach wiejskich i boiskach | 10 tygodniowo
              | sołtysi i GOPS |

            ## 3. Tygodniowy plan zajęć

            | Dzień | Godziny | Zajęcia |
            | Poniedziałek | 9:00–13:00 | trening umiejętności społecznych |
            | Wtorek | 8:00–14:00 | kursy zawodowe |
            | Środa | 8:00–12:00 | prace społecznie użyteczne |
            | Czwartek | 8:00–14:00 | kursy zawodowe |
            | Piątek | 9:00–12:00 | konsultacje indywidualne i grupa wsparcia |

            Gminny autobus odjeżdża spod świetlic wiejskich o godz. 7:20 i odwozi uczestników
            do domów po zakończeniu zajęć.

            ---

            ## 4. Zasady uczestnictwa

            - Uczestnik otrzymuje świadczenie integracyjne za udział w zajęciach i pracach
              społecznie użytecznych.
            - Nieusprawiedliwiona nieobecność przez trzy dni w miesiącu oznacza rozwiązanie
              kontraktu socjalnego.
            - Uczestnicy mają zapewniony ciepły posiłek oraz zwrot kosztów opieki nad dziećmi
              do lat 7 w dniach zajęć.

            ## 5. Wydarzenia

            We wrześniu uczestnicy kursu florystycznego wykonają wieńce dożynkowe dla
            wszystkich sołectw gminy.

            W grudniu odbędzie się spotkanie z przedstawicielami spółdzielni socjalnych
            z województwa kujawsko-pomorskiego, na którym uczestnicy poznają zasady
            zakładania spółdzielni i wspólnego prowadzenia działalności.

            Projekt jest współfinansowany ze środków Unii Europejskiej w ramach Europejskiego
            Funduszu Społecznego (Program Operacyjny Kapitał Ludzki).

            > Kierownik Gminnego Ośrodka Pomocy Społecznej
            > Jan Testowy
        """,
    ),
    Attachment(
        practice_id="demo-030",
        collection="practices-2",
        filename="Uchwala_XXXVIII_291_2009_skan.pdf",
        kind="scan",
        title="Uchwała nr XXXVIII/291/2009 Rady Miejskiej w Koziegłowach (skan)",
        sentence=(
            "Zestawy heliotermiczne pozostają własnością gminy przez okres trwałości "
            "projektu, a następnie przechodzą nieodpłatnie na własność mieszkańców."
        ),
        word="heliotermiczne",
        markup="""
            = UCHWAŁA NR XXXVIII/291/2009 RADY MIEJSKIEJ W KOZIEGŁOWACH

            ~ z dnia 24 czerwca 2009 r. w sprawie zasad udziału mieszkańców w projekcie
            „Słońce w każdym domu”

            Na podstawie art. 18 ust. 2 pkt 15 ustawy z dnia 8 marca 1990 r. o samorządzie
            gminnym Rada Miejska w Koziegłowach uchwala, co następuje:

            ## § 1

            Gmina Koziegłowy przystępuje do realizacji projektu montażu instalacji solarnych
            do podgrzewania wody na budynkach mieszkalnych, współfinansowanego z Regionalnego
            Programu Operacyjnego Województwa Śląskiego.

            ## § 2

            O udziale w projekcie decyduje kolejność złożenia deklaracji oraz pozytywna ocena
            stanu technicznego dachu dokonana przez inspektora nadzoru.

            ## § 3

            Zestawy heliotermiczne pozostają własnością gminy przez okres trwałości projektu,
            a następnie przechodzą nieodpłatnie na własność mieszkańców.

            ## § 4

            Wkład własny mieszkańca wynosi nie więcej niż 1 900 zł za zestaw i jest wpłacany
            na rachunek gminy przed montażem instalacji.

            ## § 5

            Z każdym uczestnikiem projektu Burmistrz zawiera umowę użyczenia części dachu
            i instalacji na okres trwałości projektu.

            ## § 6

            Wykonanie uchwały powierza się Burmistrzowi Miasta i Gminy Koziegłowy.

            ## § 7

            Uchwała wchodzi w życie z dniem podjęcia.

            > Przewodniczący Rady Miejskiej
            > Zenon Wymyślony
        """,
    ),
    Attachment(
        practice_id="demo-032",
        collection="practices-2",
        filename="Porozumienie międzygminne.rtf",
        kind="rtf",
        title="Porozumienie międzygminne – szlaki rowerowe Puszczy Białowieskiej",
        sentence=(
            "Na każdej tablicy informacyjnej umieszcza się sylwetkę żubra oraz herby "
            "wszystkich sześciu gmin."
        ),
        word="żubra",
        markup="""
            = Porozumienie międzygminne w sprawie wspólnej sieci szlaków rowerowych
            i informacji turystycznej w rejonie Puszczy Białowieskiej

            ~ zawarte w dniu 14 maja 2007 r. w Narewce

            pomiędzy Gminą Narewka, Gminą Białowieża, Gminą Dubicze Cerkiewne, Gminą Czyże,
            Gminą Hajnówka oraz Miastem Hajnówka, reprezentowanymi przez wójtów
            i burmistrza, zwanymi dalej „Stronami”.

            ## § 1. Przedmiot porozumienia

            Strony współdziałają przy projektowaniu, budowie, oznakowaniu, utrzymaniu
            i promocji wspólnej sieci szlaków rowerowych oraz punktów informacji turystycznej
            w rejonie Puszczy Białowieskiej.

            ## § 2. Lider

            Liderem porozumienia jest Gmina Narewka, która w imieniu Stron przygotowuje
            wniosek o dofinansowanie z Regionalnego Programu Operacyjnego Województwa
            Podlaskiego, przeprowadza jeden wspólny przetarg na wykonanie robót i prowadzi
            rozliczenia projektu.

            ## § 3. Zespół roboczy

            Strony powołują zespół roboczy złożony z pracowników urzędów, przedstawicieli
            nadleśnictw i właścicieli gospodarstw agroturystycznych. Zespół wytycza przebieg
            tras i uzgadnia go z organami ochrony przyrody oraz Lasami Państwowymi.

            ## § 4. Finansowanie

            1. Każda ze Stron finansuje budowę i oznakowanie odcinków szlaków położonych na
              jej terenie.
            2. Koszty promocji, wspólnej strony internetowej i map Strony ponoszą
              proporcjonalnie do liczby mieszkańców według stanu na dzień 31 grudnia roku
              poprzedniego.

            ## § 5. Oznakowanie

            Strony stosują jednolity system oznakowania szlaków, wiat i tablic
            informacyjnych, którego wzór stanowi załącznik do porozumienia. Na każdej tablicy
            informacyjnej umieszcza się sylwetkę żubra oraz herby wszystkich sześciu gmin.

            ## § 6. Utrzymanie szlaków

            Strony utrzymują szlaki na swoim terenie w należytym stanie i co roku, do dnia
            30 kwietnia, przeprowadzają wspólny przegląd oznakowania przed sezonem
            turystycznym.

            ## § 7. Czas trwania

            Porozumienie zawarto na czas nieokreślony. Każda ze Stron może je wypowiedzieć
            z zachowaniem sześciomiesięcznego okresu wypowiedzenia, nie wcześniej jednak niż
            po upływie okresu trwałości projektu.

            ## § 8. Postanowienia końcowe

            Zmiany porozumienia wymagają formy pisemnej pod rygorem nieważności. Porozumienie
            sporządzono w sześciu jednobrzmiących egzemplarzach, po jednym dla każdej ze
            Stron.

            | Za Gminę | Podpis |
            | Wójt Gminy Narewka | (podpis nieczytelny) |
            | Wójt Gminy Białowieża | (podpis nieczytelny) |
            | Wójt Gminy Dubicze Cerkiewne | (podpis nieczytelny) |
            | Wójt Gminy Czyże | (podpis nieczytelny) |
            | Wójt Gminy Hajnówka | (podpis nieczytelny) |
            | Burmistrz Miasta Hajnówka | (podpis nieczytelny) |
        """,
    ),
    Attachment(
        practice_id="demo-038",
        collection="practices-2",
        filename="Sprawozdanie 2011-2012.pdf",
        kind="pdf",
        title="Sprawozdanie z realizacji programu „Każde dziecko umie pływać” 2011/2012",
        sentence=(
            "Każdy uczeń otrzymał na pierwszych zajęciach żółty czepek, który po zaliczeniu "
            "próby na dystansie 25 m wymieniano na niebieski."
        ),
        word="czepek",
        markup="""
            = Sprawozdanie z realizacji programu „Każde dziecko umie pływać” w roku szkolnym
            2011/2012

            ~ Biuro Sportu i Rekreacji Urzędu Miasta Zielona Góra

            ## 1. Zakres programu

            W roku szkolnym 2011/2012 programem objęto 1 198 uczniów z 52 klas trzecich
            szkół podstawowych, w tym 14 uczniów Zespołu Szkół Specjalnych, którzy ćwiczyli
            z indywidualnymi instruktorami. Każda klasa uczestniczyła w 30 godzinach zajęć na
            krytej pływalni, w grupach liczących nie więcej niż 15 osób.

            Przejazdy zapewniały autobusy komunikacji miejskiej kursujące według odrębnego
            rozkładu, a opiekę w drodze i w szatni sprawowali nauczyciele wskazani przez
            dyrektorów szkół. Każdy uczeń otrzymał na pierwszych zajęciach żółty czepek,
            który po zaliczeniu próby na dystansie 25 m wymieniano na niebieski.

            ## 2. Wyniki

            | Wskaźnik | 2010/2011 | 2011/2012 |
            | Liczba uczestników | 1 162 | 1 198 |
            | Dzieci, które samodzielnie przepłynęły 25 m (%) | 90 | 92 |
            | Średnia frekwencja na zajęciach (%) | 87 | 89 |
            | Uczniowie z wadami postawy objęci ćwiczeniami korekcyjnymi | 318 | 341 |
            | Dzieci z rodzin wspieranych przez MOPS, które otrzymały strój i sprzęt | 142 |
              156 |

            ## 3. Uczniowskie kluby sportowe

            Dotacje na prowadzenie pozalekcyjnych treningów otrzymały 22 uczniowskie kluby
            sportowe. W lidze międzyszkolnej rozgrywanej na Orlikach wystąpiło 46 drużyn
            piłki nożnej i 28 drużyn siatkówki.

            | Dyscyplina | Liczba klubów | Liczba trenujących |
            | Piłka nożna | 9 | 412 |
            | Siatkówka | 5 | 186 |
            | Lekka atletyka | 4 | 154 |
            | Pływanie | 4 | 131 |
            | Razem | 22 | 883 |

            ## 4. Koszty

            | Pozycja | Kwota (zł) |
            | Wynagrodzenia instruktorów | 176 000 |
            | Bilety wstępu na pływalnię | 148 000 |
            | Przejazdy autobusami komunikacji miejskiej | 64 000 |
            | Stroje i sprzęt dla dzieci z rodzin wspieranych przez MOPS | 22 000 |
            | Razem nauka pływania | 410 000 |
            | Dotacje dla uczniowskich klubów sportowych | 350 000 |

            W 2012 roku program wsparł dodatkowo Samorząd Województwa Lubuskiego kwotą
            60 000 zł, przeznaczoną na zajęcia korekcyjne dla dzieci z wadami postawy.

            ## 5. Wnioski

            Program cieszy się poparciem rodziców i dyrektorów szkół. W kolejnym roku
            szkolnym planuje się dodać dwie godziny zajęć z bezpiecznego zachowania nad wodą,
            prowadzonych przez ratowników, oraz zaprosić do ligi międzyszkolnej drużyny
            dziewcząt w piłce nożnej.

            > Zielona Góra, 10 lipca 2012 r.
            > Sporządził: Michał Próbny, Biuro Sportu i Rekreacji
        """,
    ),
    Attachment(
        practice_id="demo-047",
        collection="practices-3",
        filename="Regulamin obozu naukowego.docx",
        kind="docx",
        title="Regulamin letniego obozu naukowego „Lubelska e-szkoła” 2011",
        sentence=(
            "W ostatni wieczór obozu uczestnicy wystrzeliwują własnoręcznie zbudowane rakiety "
            "wodne na łące nad Wisłą."
        ),
        word="rakiety",
        markup="""
            = Regulamin letniego obozu naukowego „Lubelska e-szkoła” – Kazimierz Dolny 2011

            ~ Organizator: Urząd Marszałkowski Województwa Lubelskiego w Lublinie we
            współpracy z Uniwersytetem Marii Curie-Skłodowskiej i Politechniką Lubelską

            ## § 1. Uczestnicy

            - W obozie bierze udział 60 uczniów gimnazjów wiejskich ze szkół objętych
              projektem „Lubelska e-szkoła”.
            - Kandydatów zgłaszają dyrektorzy szkół na podstawie wyników testów na platformie
              e-learningowej oraz opinii nauczycieli matematyki, fizyki lub chemii.
            - Udział w obozie, zakwaterowanie, wyżywienie i dojazd są dla uczestników
              bezpłatne.

            ## § 2. Termin i miejsce

            Obóz trwa od 4 do 15 lipca 2011 r. Zajęcia odbywają się w ośrodku
            wypoczynkowym w Kazimierzu Dolnym oraz w laboratoriach uczelni w Lublinie, do
            których uczestnicy wyjeżdżają dwukrotnie.

            ## § 3. Program

            | Blok | Zajęcia | Liczba godzin |
            | Matematyka | warsztaty z łamigłówek logicznych i geometrii | 16 |
            | Fizyka | doświadczenia z optyki i mechaniki | 14 |
            | Chemia | analiza próbek wody i gleby | 12 |
            | Informatyka | programowanie prostych robotów | 10 |
            | Wyjazdy | laboratoria UMCS i Politechniki Lubelskiej | 12 |

            W ostatni wieczór obozu uczestnicy wystrzeliwują własnoręcznie zbudowane rakiety
            wodne na łące nad Wisłą.

            ## § 4. Obowiązki uczestnika

            - Punktualnie uczestniczyć w zajęciach i wykonywać zadania przygotowane przez
              prowadzących.
            - Przestrzegać poleceń wychowawców oraz zasad bezpieczeństwa w laboratoriach.
            - Nie oddalać się od grupy bez zgody wychowawcy; kąpiel w Wiśle jest zabroniona.

            ## § 5. Postanowienia końcowe

            Uczestnicy, którzy ukończą obóz, otrzymują zaświadczenie oraz dostęp do
            dodatkowych lekcji multimedialnych na platformie projektu. Sprawy nieuregulowane
            regulaminem rozstrzyga kierownik obozu.

            > Kierownik obozu
            > Tomasz Testowy
        """,
    ),
    Attachment(
        practice_id="demo-053",
        collection="practices-3",
        filename="Regulamin małych grantów.pdf",
        kind="pdf",
        title="Regulamin przyznawania małych grantów organizacjom pozarządowym",
        sentence=(
            "Z grantu nie wolno finansować zakupu fajerwerków ani nagród rzeczowych "
            "o wartości przekraczającej 300 zł."
        ),
        word="fajerwerków",
        markup="""
            = Regulamin przyznawania małych grantów organizacjom pozarządowym w Powiecie
            Jędrzejowskim

            ~ Załącznik nr 1 do uchwały nr 84/2008 Zarządu Powiatu w Jędrzejowie z dnia
            15 lutego 2008 r.

            ## § 1. Cel

            Małe granty służą szybkiemu wsparciu lokalnych inicjatyw stowarzyszeń, fundacji,
            grup nieformalnych działających przy organizacjach, klubów sportowych
            i ochotniczych straży pożarnych z terenu powiatu jędrzejowskiego.

            ## § 2. Wysokość grantu

            1. Wysokość grantu nie może przekroczyć 10 000 zł.
            2. Zadanie musi zostać zrealizowane w okresie nie dłuższym niż 90 dni.
            3. Wkład własny organizacji, finansowy lub w postaci pracy wolontariuszy, wynosi
              co najmniej 10% wartości zadania.

            ## § 3. Składanie i rozpatrywanie ofert

            1. Oferty składa się w Powiatowym Centrum Wspierania Organizacji Pozarządowych
              przez cały rok, do wyczerpania środków, na formularzu stanowiącym załącznik
              nr 2.
            2. Oferta jest rozpatrywana w ciągu 14 dni od dnia jej złożenia.
            3. Przed złożeniem oferty organizacja może bezpłatnie skonsultować jej treść
              z doradcą centrum.

            ## § 4. Wydatki

            Z grantu można pokryć m.in. koszty materiałów, transportu, wynajmu sprzętu,
            ubezpieczenia uczestników i drobnych nagród. Z grantu nie wolno finansować zakupu
            fajerwerków ani nagród rzeczowych o wartości przekraczającej 300 zł.

            ## § 5. Ocena ofert

            | Kryterium | Punkty |
            | Znaczenie zadania dla mieszkańców | 0–10 |
            | Realność kosztorysu | 0–5 |
            | Udział wolontariuszy | 0–5 |
            | Współpraca z innymi organizacjami lub sołectwem | 0–5 |

            Grant otrzymują oferty, które uzyskały co najmniej 15 punktów. Decyzję
            podejmuje Zarząd Powiatu na wniosek koordynatora centrum.

            ## § 6. Rozliczenie

            Sprawozdanie z realizacji zadania składa się w terminie 30 dni od jego
            zakończenia, na formularzu stanowiącym załącznik nr 3. Doradcy centrum pomagają
            w jego przygotowaniu, a księgowa centrum sprawdza zestawienie faktur przed
            złożeniem.

            ## § 7. Informacja o dofinansowaniu

            Organizacja informuje uczestników zadania, że zostało ono dofinansowane ze
            środków Powiatu Jędrzejowskiego.

            > Starosta Jędrzejowski
            > Kazimierz Umowny
        """,
    ),
    Attachment(
        practice_id="demo-053",
        collection="practices-3",
        filename="Formularz oferty.docx",
        kind="docx",
        title="Formularz oferty – mały grant Powiatu Jędrzejowskiego",
        sentence=(
            "Czy w przygotowaniu zadania pomogą harcerze, koło gospodyń wiejskich lub "
            "ochotnicza straż pożarna?"
        ),
        word="harcerze",
        markup="""
            = Oferta realizacji zadania publicznego w trybie małego grantu

            ~ Załącznik nr 2 do Regulaminu przyznawania małych grantów organizacjom
            pozarządowym w Powiecie Jędrzejowskim

            ## I. Dane organizacji

            | Pole | Treść |
            | Nazwa organizacji | |
            | Numer w KRS lub innym rejestrze | |
            | Adres i telefon | |
            | Osoba do kontaktu | |

            ## II. Opis zadania

            | Pole | Treść |
            | Tytuł zadania | |
            | Termin realizacji (najwyżej 90 dni) | |
            | Miejsce realizacji (gmina, sołectwo) | |
            | Liczba i wiek uczestników | |

            Proszę krótko opisać, czemu służy zadanie i jakie korzyści przyniesie
            mieszkańcom.

            ? Czy w przygotowaniu zadania pomogą harcerze, koło gospodyń wiejskich lub
              ochotnicza straż pożarna?
            * tak
            * nie

            ## III. Kosztorys

            | Rodzaj kosztu | Z grantu (zł) | Wkład własny (zł) |
            | Materiały | | |
            | Transport | | |
            | Wynajem sprzętu | | |
            | Ubezpieczenie uczestników | | |
            | Praca wolontariuszy | | |
            | Razem | | |

            ## IV. Oświadczenia

            Oświadczam, że organizacja nie prowadzi działalności gospodarczej w zakresie
            zadania, a dane zawarte w ofercie są zgodne z prawdą.

            > ........................................................
            > podpis osoby upoważnionej do reprezentowania organizacji
        """,
    ),
    Attachment(
        practice_id="demo-061",
        collection="practices-3",
        filename="informacja_dla_mieszkancow.txt",
        kind="txt",
        title="Informacja dla mieszkańców Skierniewic – kontrakt nr 4",
        sentence=(
            "Na czas przełączania sieci wodociągowej przy każdym odcinku ustawione zostaną "
            "beczkowozy z wodą pitną."
        ),
        word="beczkowozy",
        markup="""
            = INFORMACJA DLA MIESZKAŃCÓW SKIERNIEWIC

            ~ Rozbudowa kanalizacji sanitarnej i przebudowa sieci wodociągowej – kontrakt
            nr 4, sezon 2011

            Urząd Miasta Skierniewice i miejska spółka wodociągowo-kanalizacyjna informują,
            że od kwietnia do listopada 2011 r. prowadzone będą roboty w ramach czwartego
            z pięciu kontraktów projektu uporządkowania gospodarki wodno-ściekowej. Roboty
            obejmują budowę kanalizacji sanitarnej, przepompowni ścieków oraz wymianę rur
            wodociągowych z azbestocementu na rury z polietylenu.

            ## Harmonogram robót

            | Odcinek | Termin | Utrudnienia |
            | 1 – kolektor główny i przepompownia P-7 | 4.04–27.05.2011 | ruch wahadłowy |
            | 2 – sieć na osiedlu domów jednorodzinnych | 30.05–29.07.2011 | ulice zamknięte
              z wyjątkiem dojazdu mieszkańców |
            | 3 – wymiana wodociągu z azbestocementu | 1.08–30.09.2011 | przerwy w dostawie
              wody do 8 godzin |
            | 4 – przyłącza do granic posesji | 3.10–25.11.2011 | utrudniony dojazd do
              posesji |

            ## Przerwy w dostawie wody

            O każdej planowanej przerwie w dostawie wody mieszkańcy zostaną powiadomieni co
            najmniej 3 dni wcześniej, przez ogłoszenia na klatkach schodowych i bramach
            posesji oraz na stronie internetowej miasta.

            Na czas przełączania sieci wodociągowej przy każdym odcinku ustawione zostaną
            beczkowozy z wodą pitną.

            ## Przyłącza i dofinansowanie

            Wykonawca doprowadza przyłącze do granicy posesji na koszt projektu. Gospodarstwa
            domowe o niskich dochodach mogą otrzymać dofinansowanie wykonania przyłącza na
            terenie posesji – wnioski przyjmuje Wydział Inwestycji i Rozwoju Urzędu Miasta.

            Po podłączeniu budynku do kanalizacji szambo należy w ciągu 3 miesięcy opróżnić,
            zdezynfekować i zasypać albo rozebrać.

            ## Kontakt

            Informacji udziela Wydział Inwestycji i Rozwoju, tel. 555 463 125, a na budowie –
            inspektor nadzoru. Uwagi można też zgłaszać podczas zebrań osiedlowych,
            o których terminach informuje strona internetowa miasta.
        """,
    ),
    Attachment(
        practice_id="demo-066",
        collection="practices-3",
        filename="Statut MRM Gogolin.pdf",
        kind="pdf",
        title="Statut Młodzieżowej Rady Miejskiej w Gogolinie",
        sentence=(
            "Sesję otwiera i zamyka trzykrotne uderzenie drewnianym młotkiem, który "
            "przewodniczący otrzymuje wraz z wyborem."
        ),
        word="młotkiem",
        markup="""
            = Statut Młodzieżowej Rady Miejskiej w Gogolinie

            ~ Załącznik do uchwały nr XXXIV/262/2005 Rady Miejskiej w Gogolinie z dnia
            30 marca 2005 r.

            ## Rozdział 1. Postanowienia ogólne

            1. Młodzieżowa Rada Miejska w Gogolinie, zwana dalej „Radą”, jest stałym forum
              dialogu młodych mieszkańców gminy z jej organami. Rada ma charakter
              konsultacyjny.
            2. Do zadań Rady należy w szczególności opiniowanie projektów uchwał Rady
              Miejskiej dotyczących oświaty, sportu, kultury i spraw młodzieży,
              przeprowadzanie konsultacji wśród uczniów, wybór inicjatyw finansowanych
              z funduszu inicjatyw młodzieżowych oraz współpraca z młodzieżą z gmin
              partnerskich.

            ## Rozdział 2. Wybory i skład

            3. Rada liczy 21 radnych wybieranych w gimnazjach i szkole ponadgimnazjalnej
              z terenu gminy, proporcjonalnie do liczby uczniów.
            4. Wybory są powszechne, równe, bezpośrednie i tajne. Przeprowadzają je szkolne
              komisje wyborcze z udziałem przedstawicieli samorządów uczniowskich.
            5. Kadencja Rady trwa dwa lata.
            6. Radny, który opuści trzy kolejne sesje bez usprawiedliwienia, traci mandat; na
              jego miejsce wchodzi kandydat, który w tej samej szkole uzyskał kolejno
              największą liczbę głosów.

            ## Rozdział 3. Organizacja pracy

            7. Rada wybiera ze swojego grona przewodniczącego, dwóch wiceprzewodniczących
              i sekretarza.
            8. Sesje zwołuje przewodniczący co najmniej raz na dwa miesiące. W sesjach
              uczestniczą z głosem doradczym Burmistrz Gogolina i Przewodniczący Rady
              Miejskiej.
            9. Sesję otwiera i zamyka trzykrotne uderzenie drewnianym młotkiem, który
              przewodniczący otrzymuje wraz z wyborem.
            10. Sesje mogą być prowadzone w języku polskim i niemieckim; uchwały Rady
              sporządza się w języku polskim.
            11. Na inicjatywy młodzieżowe Rada dysponuje corocznie funduszem w wysokości
              określonej w uchwale budżetowej gminy. Propozycje inicjatyw mogą zgłaszać
              wszyscy uczniowie szkół z terenu gminy.
            12. Obsługę Rady zapewnia Urząd Miejski w Gogolinie, który wyznacza opiekuna Rady
              spośród swoich pracowników.

            ## Rozdział 4. Postanowienia końcowe

            13. Zmiany statutu następują w trybie właściwym dla jego uchwalenia, po
              zasięgnięciu opinii Rady.

            > Przewodniczący Rady Miejskiej w Gogolinie
            > Gerard Fikcyjny
        """,
    ),
)


# --------------------------------------------------------------------------------------
# Checks, output and the JSONL field
# --------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def load_practices(demo_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """``{collection: {practice id: record}}`` for the JSONL files the attachments use."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for collection in sorted({a.collection for a in ATTACHMENTS}):
        path = demo_dir / f"{collection}.jsonl"
        lines = path.read_text("utf-8").splitlines()
        records = (json.loads(line) for line in lines if line.strip())
        out[collection] = {r["id"]: r for r in records if isinstance(r, dict)}
    return out


def check_content(practices: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Attachments belong to existing practices; markers are present and distinctive."""
    corpus = _norm(" ".join(s for recs in practices.values() for s in _strings(recs)))
    texts = {a.relpath: _norm(" ".join(block_text(b) for b in a.blocks)) for a in ATTACHMENTS}
    problems = []
    for a in ATTACHMENTS:
        if a.practice_id not in practices[a.collection]:
            problems.append(f"{a.relpath}: no practice {a.practice_id} in {a.collection}")
        if a.filename.endswith(".jsonl") or "/" in a.filename:
            problems.append(f"{a.relpath}: bad file name")
        if _norm(a.sentence) not in texts[a.relpath]:
            problems.append(f"{a.relpath}: the distinctive sentence is not in the text")
        if _norm(a.word) not in _norm(a.sentence):
            problems.append(f"{a.relpath}: the distinctive word is not in the sentence")
        if _norm(a.sentence) in corpus or _norm(a.word) in corpus:
            problems.append(f"{a.relpath}: the distinctive sentence or word is in the JSONL")
        for other, text in texts.items():
            if other != a.relpath and _norm(a.word) in text:
                problems.append(f"{a.relpath}: the distinctive word is also in {other}")
    if len({a.relpath for a in ATTACHMENTS}) != len(ATTACHMENTS):
        problems.append("duplicate attachment paths")
    if problems:
        raise SystemExit("\n".join(problems))


def render(attachment: Attachment) -> Rendered:
    rendered = RENDERERS[attachment.kind](attachment)
    wanted = attachment.sentence_page
    if wanted is not None and rendered.sentence_page != wanted:
        raise SystemExit(
            f"{attachment.relpath}: sentence on page {rendered.sentence_page}, not {wanted}"
        )
    return rendered


def verify(demo_dir: Path, attachment: Attachment) -> list[str]:
    """External checks: OCR of the scan, text layer and page of the sentence in PDFs."""
    problems: list[str] = []
    path = demo_dir / attachment.relpath
    if attachment.kind == "scan":
        if not shutil.which("tesseract"):
            return [f"{attachment.relpath}: tesseract missing, OCR not verified"]
        with tempfile.TemporaryDirectory() as tmp:
            png = Path(tmp) / "page.png"
            render_scan_image(attachment).save(png, dpi=(SCAN_DPI, SCAN_DPI))
            ocr = subprocess.run(
                ["tesseract", str(png), "-", "-l", "pol"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        if _norm(attachment.word) not in _norm(ocr):
            problems.append(f"{attachment.relpath}: OCR does not read {attachment.word!r}")
        if shutil.which("pdftotext"):
            layer = subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
            if layer.strip():
                problems.append(f"{attachment.relpath}: the scan has a text layer")
    elif attachment.kind == "pdf":
        if not shutil.which("pdftotext"):
            return [f"{attachment.relpath}: pdftotext missing, text layer not verified"]
        page = str(attachment.sentence_page or 1)
        args = ["-f", page, "-l", page] if attachment.sentence_page else []
        text = subprocess.run(
            ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        if _norm(attachment.sentence) not in _norm(text):
            problems.append(f"{attachment.relpath}: sentence not found by pdftotext")
    return problems


def update_jsonl(demo_dir: Path) -> list[Path]:
    """Add/replace ``attachments`` on the chosen practices; other lines stay identical."""
    wanted: dict[str, dict[str, list[dict[str, str]]]] = {}
    for a in ATTACHMENTS:
        entry = {"path": a.relpath, "title": a.filename}
        wanted.setdefault(a.collection, {}).setdefault(a.practice_id, []).append(entry)
    changed = []
    for collection, by_id in sorted(wanted.items()):
        path = demo_dir / f"{collection}.jsonl"
        original = path.read_bytes().decode("utf-8")
        out, seen = [], set()
        for line in original.splitlines(keepends=True):
            content = line.rstrip("\r\n")
            ending = line[len(content) :]
            record = json.loads(content) if content.strip() else None
            if not isinstance(record, dict) or record.get("id") not in by_id:
                out.append(line)
                continue
            attachments = by_id[record["id"]]
            seen.add(record["id"])
            new: dict[str, Any] = {}
            for key, value in record.items():
                if key == "attachments":
                    continue
                new[key] = value
                if key == "body":
                    new["attachments"] = attachments
            new.setdefault("attachments", attachments)
            out.append(json.dumps(new, ensure_ascii=False) + ending)
        missing = set(by_id) - seen
        if missing:
            raise SystemExit(f"{path}: practices not found: {sorted(missing)}")
        updated = "".join(out)
        if updated != original:
            path.write_bytes(updated.encode("utf-8"))
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--demo-dir",
        type=Path,
        default=DEMO_DIR,
        help="folder of practices-N.jsonl (default: data/practices/demo)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; fail if a file on disk differs from what would be written",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="also OCR the scan (tesseract) and find the PDF sentences (pdftotext)",
    )
    parser.add_argument(
        "--update-jsonl",
        action="store_true",
        help="also add the 'attachments' field to the chosen practices in the JSONL files",
    )
    args = parser.parse_args(argv)
    demo_dir: Path = args.demo_dir
    for font in (FONT, FONT_BOLD):
        if not font.exists():
            raise SystemExit(f"{font} missing: apt-get install -y fonts-dejavu-core")

    check_content(load_practices(demo_dir))
    stale = []
    total = 0
    for attachment in ATTACHMENTS:
        rendered = render(attachment)
        path = demo_dir / attachment.relpath
        total += len(rendered.data)
        if args.check:
            if not path.exists() or path.read_bytes() != rendered.data:
                stale.append(attachment.relpath)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_bytes() != rendered.data:
                path.write_bytes(rendered.data)
        pages = "?" if rendered.pages is None else str(rendered.pages)
        print(f"{attachment.relpath}\t{attachment.kind}\t{pages} p.\t{len(rendered.data)} B")
    print(f"total: {total} B")
    if stale:
        print("differs from disk:\n  " + "\n  ".join(stale), file=sys.stderr)
        return 1
    if args.verify:
        problems = [p for a in ATTACHMENTS for p in verify(demo_dir, a)]
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 1
        print("verified: OCR of the scan, PDF text layers")
    if args.update_jsonl and not args.check:
        for path in update_jsonl(demo_dir):
            print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
