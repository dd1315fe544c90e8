"""The study's rows as the analysis modules' plain values (analysis.py), and the figures
they compute for the pages, the API and the reports: one path, so that the same codings
give the same figures wherever they are asked for.

Coders and codes are identified by their primary keys as text; participants by pseudonym.
The matrix's groups are the values of one participant attribute: the study's own
attributes (setting…), and for practitioners of the directory their sector and
organization.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import agreement as agreement_module
from . import matrix as matrix_module
from .analysis import (
    AgreementReport,
    Coding,
    CoOccurrence,
    Document,
    Matrix,
    Participant,
    Segment,
    Uncoded,
    Unit,
)

DIRECTORY_ATTRIBUTES = {"sector": _("sector"), "organization": _("organization")}
RESAMPLES = 500


@dataclass
class StudyRows:
    """What the analysis needs of a study, read once."""

    codings: list[Coding]
    documents: list[Document]
    segments: list[Segment]
    participants: list[Participant]
    code_names: dict[str, str]
    coder_names: dict[str, str]
    document_titles: dict[str, str]
    document_settings: dict[str, str]
    texts: dict[str, str]


def compute_agreement(
    rows: StudyRows,
    *,
    unit: str = Unit.CHARACTER,
    uncoded: str = Uncoded.EXCLUDED,
    documents: Iterable[str] | None = None,
    resamples: int = RESAMPLES,
) -> AgreementReport:
    wanted = set(documents) if documents is not None else None
    docs = [d for d in rows.documents if wanted is None or d.id in wanted]
    return agreement_module.agreement(
        rows.codings,
        docs,
        unit=Unit(unit),
        segments=rows.segments,
        uncoded=Uncoded(uncoded),
        codes=sorted(rows.code_names, key=lambda pk: rows.code_names[pk]),
        resamples=resamples,
        seed=0,
    )


def compute_matrix(
    rows: StudyRows, *, attribute: str, threshold: float, coder: str | None = None
) -> Matrix:
    codings = [c for c in rows.codings if coder is None or c.coder == coder]
    return matrix_module.theme_matrix(
        codings,
        rows.segments,
        rows.participants,
        attribute=attribute,
        threshold=threshold,
        codes=sorted(rows.code_names, key=lambda pk: rows.code_names[pk]),
    )


def compute_co_occurrence(rows: StudyRows, *, coder: str | None = None) -> CoOccurrence:
    codings = [c for c in rows.codings if coder is None or c.coder == coder]
    return matrix_module.co_occurrence(
        codings, codes=sorted(rows.code_names, key=lambda pk: rows.code_names[pk])
    )


def attributes_of(rows: StudyRows) -> list[str]:
    names: set[str] = set()
    for participant in rows.participants:
        names.update(participant.attributes)
    return sorted(names)
