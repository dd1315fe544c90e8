"""What the agreement, matrix and report pages show, built from the analysis's results:
rows with names instead of keys, figures ready to print, and the same rows as CSV."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .analysis import Agreement, AgreementReport, Matrix
from .figures import StudyRows

QUOTES_PER_CELL = 50
QUOTE_MAX = 600


@dataclass
class AgreementRow:
    label: str
    units: int
    percent: object
    kappa: object
    alpha: object


def agreement_rows(report: AgreementReport, rows: StudyRows) -> list[AgreementRow]:
    def row(label: str, figures: Agreement) -> AgreementRow:
        return AgreementRow(label, figures.units, figures.percent, figures.kappa, figures.alpha)

    result = [row(_("All codes"), report.overall)]
    for code in report.codes:
        result.append(row(rows.code_names.get(code, "?"), report.per_code[code]))
    return result


@dataclass
class Quote:
    document: str
    speakers: str
    text: str
    coder: str


def cell_quotes(matrix: Matrix, rows: StudyRows, code: str, group: str) -> list[Quote]:
    for theme in matrix.rows:
        if theme.code != code or group not in theme.cells:
            continue
        cell = theme.cells[group]
        quotes = []
        for coding, speakers in list(zip(cell.codings, cell.speakers, strict=False))[
            :QUOTES_PER_CELL
        ]:
            text = rows.texts.get(coding.document, "")[coding.start : coding.end]
            quotes.append(
                Quote(
                    rows.document_titles.get(coding.document, ""),
                    ", ".join(sorted(speakers)),
                    text[:QUOTE_MAX] + ("…" if len(text) > QUOTE_MAX else ""),
                    rows.coder_names.get(coding.coder, ""),
                )
            )
        return quotes
    return []


def code_quotes(rows: StudyRows, code: str, limit: int = 10) -> list[Quote]:
    speakers_by_doc: dict[str, list] = {}
    for segment in rows.segments:
        speakers_by_doc.setdefault(segment.document, []).append(segment)
    quotes = []
    for coding in [c for c in rows.codings if c.code == code][:limit]:
        said = sorted(
            {
                s.participant
                for s in speakers_by_doc.get(coding.document, [])
                if s.participant and s.start < coding.end and coding.start < s.end
            }
        )
        text = rows.texts.get(coding.document, "")[coding.start : coding.end]
        quotes.append(
            Quote(
                rows.document_titles.get(coding.document, ""),
                ", ".join(said),
                text[:QUOTE_MAX] + ("…" if len(text) > QUOTE_MAX else ""),
                rows.coder_names.get(coding.coder, ""),
            )
        )
    return quotes


def _figure(estimate) -> str:
    if estimate is None or estimate.value is None:
        return ""
    return f"{estimate.value:.3f}"


def matrix_csv_rows(matrix: Matrix, rows: StudyRows) -> list[list]:
    header = [_("Code")]
    for group in matrix.groups:
        header += [
            _("%(group)s: passages") % {"group": group},
            _("%(group)s: participants") % {"group": group},
            _("%(group)s: share") % {"group": group},
        ]
    header += [_("Convergent"), _("Divergent")]
    out = [header]
    for theme in matrix.rows:
        line: list = [rows.code_names.get(theme.code, "")]
        for group in matrix.groups:
            cell = theme.cells[group]
            line += [cell.passages, len(cell.participants), f"{cell.share:.2f}"]
        line += [
            _("yes") if theme.convergent else _("no"),
            _("yes") if theme.divergent else _("no"),
        ]
        out.append(line)
    return out


def agreement_csv_rows(table: list[AgreementRow]) -> list[list]:
    out = [
        [
            _("Code"),
            _("Units"),
            _("Percent agreement"),
            _("Cohen's kappa"),
            _("Krippendorff's alpha"),
        ]
    ]
    for row in table:
        out.append(
            [row.label, row.units, _figure(row.percent), _figure(row.kappa), _figure(row.alpha)]
        )
    return out


@dataclass
class MatrixLine:
    code: str
    name: str
    convergent: bool
    divergent: bool
    divergent_groups: tuple
    cells: list


def matrix_table(matrix: Matrix, rows: StudyRows) -> list[MatrixLine]:
    return [
        MatrixLine(
            theme.code,
            rows.code_names.get(theme.code, "?"),
            theme.convergent,
            theme.divergent,
            theme.divergent_groups,
            [theme.cells[g] for g in matrix.groups],
        )
        for theme in matrix.rows
    ]


def code_name(rows: StudyRows, code: str) -> str:
    return rows.code_names.get(code, "")


def coder_labels(coders, rows: StudyRows) -> list[str]:
    return [rows.coder_names.get(c, "?") for c in coders]


def co_occurrence_table(co, rows: StudyRows):
    """The codes (id, name) and, per code, its name and its counts with every code."""
    codes = list(co.codes)
    header = [(c, rows.code_names.get(c, "?")) for c in codes]
    lines = [
        (rows.code_names.get(a, "?"), [co.counts.get((a, b), 0) for b in codes]) for a in codes
    ]
    return header, lines
