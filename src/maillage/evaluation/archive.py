"""The study's archive, made before it is deleted: one ZIP holding everything the study
holds, so that nothing is lost when the lead deletes it.

- `study.qdpx`: the REFI-QDA project (codebook, sources, codings, memos, cases), which any
  qualitative tool opens;
- `participants.csv`: each participant's attributes (the study's own, and sector,
  organization and role from the directory), by pseudonym only;
- `research_consents.csv`: when each participant gave research consent, by pseudonym;
- `codebook_history.csv`: every change of the codebook (who, when, what);
- `manifest.json`: the study, when and by whom it was archived, what it holds.

Real names are never written: the archive leaves the server. Each archive writes one audit
event carrying its SHA-256 checksum; the deletion (services.delete_study) asks for it.
"""

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core.models import User
from maillage.core.permissions import require

from . import qdpx_exchange, selectors
from .models import Study

ARCHIVE_FORMAT = "archive"


@dataclass(frozen=True)
class Archive:
    data: bytes
    sha256: str
    counts: dict[str, int]


def _csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    # With a byte-order mark: spreadsheet programs then read the accents right.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _participant_rows(study: Study) -> tuple[list[list], list[list]]:
    people = selectors.participants_for_archive(study)
    names = sorted({name for _pseudonym, attributes, *_rest in people for name in attributes})
    attributes = [[_("Pseudonym"), _("Sector"), _("Organization"), _("Team"), _("Role"), *names]]
    consents = [[_("Pseudonym"), _("Research consent given on"), _("Consent note")]]
    for pseudonym, values, directory, given_on, note in people:
        attributes.append(
            [
                pseudonym,
                directory.get("sector", ""),
                directory.get("organization", ""),
                directory.get("team", ""),
                directory.get("role", ""),
                *(values.get(name, "") for name in names),
            ]
        )
        consents.append([pseudonym, given_on.isoformat() if given_on else "", note])
    return attributes, consents


def _history_rows(study: Study) -> list[list]:
    rows = [[_("When"), _("By"), _("What changed"), _("Code"), _("Details")]]
    for change in selectors.codebook_history(study, limit=None):
        rows.append(
            [
                change.at.isoformat(),
                change.by.full_name if change.by else "",
                change.get_kind_display(),
                change.code_name,
                json.dumps(change.details, ensure_ascii=False, sort_keys=True),
            ]
        )
    return rows


def export_archive(*, by: User, study: Study) -> Archive:
    """The ZIP, for the study's lead. While the codings are blind the lead sees only their
    own: an archive would then lose the others' work, so it waits for the reveal."""
    require(by, "evaluation.view_study", study, hide=True)
    require(by, "evaluation.manage_study", study)
    if study.is_blind:
        raise ValidationError(
            _(
                "The codings are still blind: reveal them first, so that the archive holds "
                "every coder's work."
            )
        )
    qdpx = qdpx_exchange.export_study(by=by, study=study)
    attributes, consents = _participant_rows(study)
    history = _history_rows(study)
    counts = selectors.study_counts(study)
    now = timezone.now()
    manifest = {
        "study": {"id": str(study.pk), "title": study.title, "question": study.question},
        "archived_at": now.isoformat(),
        "archived_by": by.email,
        "counts": counts,
        "files": [
            "study.qdpx",
            "participants.csv",
            "research_consents.csv",
            "codebook_history.csv",
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("study.qdpx", qdpx)
        archive.writestr("participants.csv", _csv(attributes))
        archive.writestr("research_consents.csv", _csv(consents))
        archive.writestr("codebook_history.csv", _csv(history))
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    data = buffer.getvalue()
    checksum = hashlib.sha256(data).hexdigest()
    record_event(
        action=Action.EXPORTED,
        actor=by,
        obj=study,
        details={"format": ARCHIVE_FORMAT, "sha256": checksum, "counts": counts},
    )
    return Archive(data, checksum, counts)
