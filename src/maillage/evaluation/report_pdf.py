"""The study's report as a PDF document, as the review minutes are (reviews/minutes.py):
the codebook with definitions and counts, the quotes per code (by pseudonym), the matrix
of themes with its reading rule. Built with reportlab, in the language active when it is
called (the view sets French or English).

The Bitstream Vera fonts shipped inside reportlab cover French and both languages'
typographic punctuation, with nothing to install on the server.
"""

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .analysis import Matrix
from .models import Code, Study
from .reports import MatrixLine, Quote

FONT_DIR = Path(reportlab.__file__).parent / "fonts"
PAGE_WIDTH = LETTER[0] - 4 * cm


@cache
def _fonts() -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont("Vera", str(FONT_DIR / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("Vera-Bold", str(FONT_DIR / "VeraBd.ttf")))
    pdfmetrics.registerFont(TTFont("Vera-Italic", str(FONT_DIR / "VeraIt.ttf")))
    pdfmetrics.registerFont(TTFont("Vera-BoldItalic", str(FONT_DIR / "VeraBI.ttf")))
    pdfmetrics.registerFontFamily(
        "Vera", normal="Vera", bold="Vera-Bold", italic="Vera-Italic", boldItalic="Vera-BoldItalic"
    )
    return "Vera", "Vera-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=bold, fontSize=18),
        "h2": ParagraphStyle(
            "h2", parent=base["Heading2"], fontName=bold, fontSize=13, spaceBefore=10
        ),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName=bold, fontSize=11),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=regular, fontSize=10),
        "meta": ParagraphStyle(
            "meta", parent=base["BodyText"], fontName=regular, fontSize=9, textColor="#4a5562"
        ),
        "quote": ParagraphStyle(
            "quote", parent=base["BodyText"], fontName=regular, fontSize=9.5, leftIndent=14
        ),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontName=regular, fontSize=8),
    }


def _text(value) -> str:
    """User text, safe for reportlab's paragraph markup, line breaks kept."""
    return escape(str(value or "")).replace("\n", "<br/>")


def _colon(label: str) -> str:
    # French typography: a no-break space before the colon.
    return _("%(label)s:") % {"label": label}


def _code_section(code: Code, depth: int, quotes: list[Quote], styles) -> list:
    body, meta = styles["body"], styles["meta"]
    name = _text(code.name)
    if code.inductive:
        name += f" <font size=9>({_text(_('emerging'))})</font>"
    heading = ParagraphStyle(f"h3-{depth}", parent=styles["h3"], leftIndent=12 * depth)
    part: list = [Paragraph(name, heading)]
    if code.definition:
        part.append(Paragraph(_text(code.definition), body))
    for label, value in ((_("Use when"), code.use_when), (_("Do not use when"), code.not_use_when)):
        if value:
            part.append(Paragraph(f"<b>{_text(_colon(label))}</b> {_text(value)}", body))
    if code.example:
        part.append(Paragraph(f"<b>{_text(_colon(_('Example')))}</b> {_text(code.example)}", body))
    count = code.coding_count  # type: ignore[attr-defined]
    part.append(
        Paragraph(
            _text(ngettext("%(count)s coding", "%(count)s codings", count) % {"count": count}),
            meta,
        )
    )
    for quote in quotes:
        part.append(Paragraph(_text(_("“%(quote)s”") % {"quote": quote.text}), styles["quote"]))
        part.append(Paragraph(_text(f"{quote.speakers or '—'} — {quote.document}"), styles["meta"]))
    return part


def _share(cell) -> str:
    return formats.number_format(round(cell.share * 100)) + "\u00a0%"


def _matrix_table(matrix: Matrix, lines: list[MatrixLine], styles) -> Table:
    cell = styles["cell"]
    header = [_("Code"), *matrix.groups, _("Reading")]
    rows = [[Paragraph(f"<b>{_text(label)}</b>", cell) for label in header]]
    for line in lines:
        reading = []
        if line.convergent:
            reading.append(_("convergent"))
        if line.divergent:
            reading.append(
                _("divergent (%(groups)s apart)") % {"groups": ", ".join(line.divergent_groups)}
            )
        row = [Paragraph(_text(line.name), cell)]
        for c in line.cells:
            passages = ngettext("%(n)s passage", "%(n)s passages", c.passages) % {"n": c.passages}
            people = ngettext(
                "%(n)s of %(size)s participant", "%(n)s of %(size)s participants", c.group_size
            ) % {
                "n": len(c.participants),
                "size": c.group_size,
            }
            row.append(Paragraph(_text(f"{passages}\n{people} ({_share(c)})"), cell))
        row.append(Paragraph(_text(" · ".join(reading) or "—"), cell))
        rows.append(row)
    first, last = 4 * cm, 3 * cm
    groups = max(len(matrix.groups), 1)
    widths = [first, *[(PAGE_WIDTH - first - last) / groups] * len(matrix.groups), last]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c9d1da")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f5f7")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def report_pdf(
    study: Study,
    *,
    codes: list[tuple[Code, int, list[Quote]]],
    matrix: Matrix,
    lines: list[MatrixLine],
) -> bytes:
    styles = _styles()
    title = _("Report — %(title)s") % {"title": study.title}
    story: list = [Paragraph(_text(title), styles["title"])]
    if study.question:
        story.append(Paragraph(_text(study.question), styles["body"]))
    story.append(Paragraph(_text(_("Codebook")), styles["h2"]))
    if not codes:
        story.append(Paragraph(_text(_("No code yet.")), styles["body"]))
    for code, depth, quotes in codes:
        story += _code_section(code, depth, quotes, styles)
    story.append(Paragraph(_text(_("Matrix of themes")), styles["h2"]))
    story.append(
        Paragraph(
            _text(
                _(
                    "Codes × groups of “%(attribute)s”: passages, participants who said it, "
                    "share of the group"
                )
                % {"attribute": matrix.attribute}
            ),
            styles["meta"],
        )
    )
    story += [Spacer(1, 4), _matrix_table(matrix, lines, styles), Spacer(1, 6)]
    story.append(
        Paragraph(_text(f"{matrix.convergence_rule} {matrix.divergence_rule}"), styles["meta"])
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=title,
        author="Maillage",
    ).build(story)
    return buffer.getvalue()
