"""Minutes of a meeting, generated from what was recorded, as a page (HTML, through the
template reviews/minutes.html) and as a PDF document.

The PDF uses the Bitstream Vera fonts shipped inside reportlab: they cover French and the
typographic punctuation of both languages, with nothing to install on the server.
"""

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .agenda import Agenda
from .models import GroupMembership, ImprovementAction, MeetingStatus

FONT_DIR = Path(reportlab.__file__).parent / "fonts"


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
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontName=regular, fontSize=8.5),
    }


def _text(value: str) -> str:
    """User text, safe for reportlab's paragraph markup, line breaks kept."""
    return escape(value or "").replace("\n", "<br/>")


def _answer(choice: str, how: str) -> str:
    return f"{choice} — {how}" if how else choice


def when(meeting) -> str:
    local = timezone.localtime(meeting.starts_at)
    return (
        f"{formats.date_format(local, 'DATE_FORMAT')}, {formats.time_format(local, 'TIME_FORMAT')}"
    )


def owner_label(action: ImprovementAction) -> str:
    if action.owner_organization is not None:
        return action.owner_organization.name
    return action.owner_participant.full_name if action.owner_participant else ""


def _actions_table(actions: list[ImprovementAction], styles) -> Table:
    cell = styles["cell"]
    rows = [
        [
            Paragraph(f"<b>{escape(label)}</b>", cell)
            for label in (_("Action"), _("Owner"), _("Due"), _("Status"), _("Said at this meeting"))
        ]
    ]
    for action in actions:
        said = "<br/>".join(
            _text(f"{u.get_from_status_display()} → {u.get_to_status_display()}. {u.note}")
            for u in getattr(action, "updates_here", [])
        )
        rows.append(
            [
                Paragraph(_text(action.description), cell),
                Paragraph(_text(owner_label(action)), cell),
                Paragraph(formats.date_format(action.due_date, "SHORT_DATE_FORMAT"), cell),
                Paragraph(_text(action.get_status_display()), cell),
                Paragraph(said or "—", cell),
            ]
        )
    table = Table(rows, colWidths=[5.5 * cm, 3.2 * cm, 2.2 * cm, 2.2 * cm, 4.4 * cm], repeatRows=1)
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


def minutes_pdf(agenda: Agenda, *, moderator: GroupMembership | None) -> bytes:
    styles = _styles()
    body, meta, h2, h3 = styles["body"], styles["meta"], styles["h2"], styles["h3"]
    meeting = agenda.meeting
    story: list = [
        Paragraph(_text(_("Minutes of the cooperation review")), styles["title"]),
        Paragraph(_text(meeting.group.name), styles["h3"]),
        Paragraph(
            _text(
                _("%(when)s — hosted by %(host)s")
                % {"when": when(meeting), "host": meeting.host.name}
            ),
            body,
        ),
    ]
    if meeting.venue_details:
        story.append(Paragraph(_text(meeting.venue_details), meta))
    if moderator is not None:
        story.append(Paragraph(_text(_("Moderator: %s") % moderator.user.full_name), meta))
    if meeting.status != MeetingStatus.HELD:
        story.append(
            Paragraph(
                _text(_("Draft: the meeting is %s.") % meeting.get_status_display().lower()), meta
            )
        )
    present = ", ".join(a.user.full_name for a in agenda.present) or "—"
    absent = ", ".join(a.user.full_name for a in agenda.absent) or "—"
    story += [
        Paragraph(_text(_("Present: %s") % present), body),
        Paragraph(_text(_("Absent: %s") % absent), body),
        Paragraph(_text(_("1. Greeting")), h2),
        Paragraph(_text(_("2. What became of the situations of the previous meeting")), h2),
    ]
    if not agenda.follow_ups:
        story.append(Paragraph(_text(_("No situation to follow up.")), body))
    for item in agenda.follow_ups:
        story.append(Paragraph(_text(item.situation.title), h3))
        story.append(Paragraph(_text(", ".join(item.situation.sector_labels)), meta))
        story.append(Paragraph(_text(item.note or _("Nothing was recorded.")), body))
        if item.actions:
            story += [Spacer(1, 4), _actions_table(item.actions, styles)]
    story.append(Paragraph(_text(_("3. New situations")), h2))
    presented = [item for item in agenda.new_situations if not item.proposed]
    if not presented:
        story.append(Paragraph(_text(_("No situation was presented.")), body))
    for item in presented:
        situation = item.situation
        story += [
            Paragraph(_text(situation.title), h3),
            Paragraph(
                _text(f"{situation.get_kind_display()} · {', '.join(situation.sector_labels)}"),
                meta,
            ),
            Paragraph(_text(situation.narrative), body),
        ]
        analysis = getattr(situation, "analysis", None)
        if analysis is not None:
            answers = [
                (_("What malfunction was revealed?"), analysis.malfunction),
                (_("Types"), ", ".join(analysis.type_labels) or "—"),
                (
                    _("Did it harm the patient?"),
                    _answer(analysis.get_patient_harm_display(), analysis.patient_harm_how),
                ),
                (
                    _("Did it harm the carer?"),
                    _answer(analysis.get_carer_harm_display(), analysis.carer_harm_how),
                ),
                (_("Was it avoidable?"), analysis.get_avoidable_display()),
            ]
            for question, answer in answers:
                story.append(Paragraph(f"<b>{_text(question)}</b> {_text(answer)}", body))
        story.append(Paragraph(f"<b>{_text(_('Avenues for improvement'))}</b>", body))
        if item.actions:
            story.append(_actions_table(item.actions, styles))
        else:
            story.append(Paragraph("—", body))
    story.append(Paragraph(_text(_("4. Optional slots")), h2))
    if not agenda.slots:
        story.append(Paragraph(_text(_("None at this meeting.")), body))
    for slot in agenda.slots:
        story.append(
            Paragraph(f"<b>{_text(slot.get_kind_display())}:</b> {_text(slot.title)}", body)
        )
        if slot.notes:
            story.append(Paragraph(_text(slot.notes), body))
    story.append(Paragraph(_text(_("5. Round table")), h2))
    story.append(Paragraph(_text(meeting.round_table_notes or _("Nothing was recorded.")), body))
    if agenda.rating_count:
        story.append(
            Paragraph(
                _text(
                    ngettext(
                        "Average rating: %(average)s / 5 (%(count)s rating)",
                        "Average rating: %(average)s / 5 (%(count)s ratings)",
                        agenda.rating_count,
                    )
                    % {
                        "average": formats.number_format(agenda.rating_average, 1),
                        "count": agenda.rating_count,
                    }
                ),
                body,
            )
        )

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=_("Minutes of the cooperation review"),
        author="Maillage",
    )
    document.build(story)
    return buffer.getvalue()
