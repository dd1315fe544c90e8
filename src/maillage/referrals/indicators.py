"""Collaboration indicators from referrals and consultations, for a period.

Definitions (the page and docs/indicators.md say the same):
- sent / received: referrals requested in the period, by the sending / receiving side.
- acceptance rate: accepted ÷ decided (accepted or declined), whatever came after.
- median time to acknowledge: hours from sending to acknowledgement, over acknowledged ones.
- median time to first contact: days from sending to the first contact, where it happened.
- loop closure rate: completed (outcome fed back) ÷ sent, cancelled ones left out.
- joint follow-up share: accepted with joint follow-up ÷ accepted.
- reciprocity (sector pairs): referrals the smaller way ÷ the larger way, 1 when balanced.
- consultations asked / answered: by the asking team and by the consulted team.
Only aggregates: no family appears here, so coordinators may read it.
"""

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from statistics import median

from django.utils import timezone

from maillage.core.csv_export import BOM, SafeDictWriter
from maillage.directory.models import Sector, Team

from .models import Consultation, FollowUp, Referral, Status


@dataclass
class Tally:
    sent: int = 0
    received: int = 0
    accepted: int = 0
    decided: int = 0
    completed: int = 0
    not_cancelled: int = 0
    joint: int = 0
    ack_hours: list[float] = field(default_factory=list)
    contact_days: list[float] = field(default_factory=list)
    consultations_asked: int = 0
    consultations_answered: int = 0
    reciprocity: float | None = None

    def row(self) -> dict:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 3) if b else None

        return {
            "sent": self.sent,
            "received": self.received,
            "acceptance_rate": ratio(self.accepted, self.decided),
            "median_hours_to_acknowledge": round(median(self.ack_hours), 1)
            if self.ack_hours
            else None,
            "median_days_to_first_contact": round(median(self.contact_days), 1)
            if self.contact_days
            else None,
            "loop_closure_rate": ratio(self.completed, self.not_cancelled),
            "joint_follow_up_share": ratio(self.joint, self.accepted),
            "reciprocity": self.reciprocity,
            "consultations_asked": self.consultations_asked,
            "consultations_answered": self.consultations_answered,
        }


COLUMNS = list(Tally().row())


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end, time.max, tzinfo=tz)


def _count_outcome(t: Tally, r: dict) -> None:
    if r["status"] != Status.CANCELLED:
        t.not_cancelled += 1
    if r["status"] == Status.COMPLETED:
        t.completed += 1
    if r["decided_at"] is not None:
        t.decided += 1
        # follow_up is chosen on acceptance only: it tells an acceptance from a refusal
        # whatever happened next (first contact, completion, failure, cancellation).
        if r["follow_up"]:
            t.accepted += 1
            if r["follow_up"] == FollowUp.JOINT:
                t.joint += 1
    if r["received_at"]:
        t.ack_hours.append((r["received_at"] - r["requested_at"]).total_seconds() / 3600)
    if r["first_contact_at"]:
        t.contact_days.append((r["first_contact_at"] - r["requested_at"]).total_seconds() / 86400)


def compute(*, start: date, end: date, by: str) -> list[dict]:
    """One row per team, organization or sector pair, sorted by label. Two queries."""
    low, high = _bounds(start, end)
    teams = {t.id: t for t in Team.objects.select_related("organization")}
    rows = Referral.objects.filter(requested_at__gte=low, requested_at__lte=high).values(
        "from_team_id",
        "to_team_id",
        "status",
        "requested_at",
        "received_at",
        "decided_at",
        "first_contact_at",
        "follow_up",
    )
    tallies: dict[tuple, Tally] = defaultdict(Tally)
    labels: dict[tuple, str] = {}

    def key_of(team_id) -> tuple:
        team = teams[team_id]
        if by == "organization":
            labels[(team.organization_id,)] = team.organization.name
            return (team.organization_id,)
        labels[(team_id,)] = f"{team.name} — {team.organization.name}"
        return (team_id,)

    pair_counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        source, target = teams[r["from_team_id"]], teams[r["to_team_id"]]
        if by == "sector_pair":
            pair = (source.organization.sector, target.organization.sector)
            pair_counts[pair] += 1
            labels[pair] = f"{Sector(pair[0]).label} → {Sector(pair[1]).label}"
            t = tallies[pair]
            t.sent += 1
            t.received += 1
            _count_outcome(t, r)
            continue
        tallies[key_of(r["from_team_id"])].sent += 1
        receiving = tallies[key_of(r["to_team_id"])]
        receiving.received += 1
        _count_outcome(receiving, r)
    if by == "sector_pair":
        for (a, b), n in pair_counts.items():
            back = pair_counts.get((b, a), 0)
            tallies[(a, b)].reciprocity = round(min(n, back) / max(n, back), 3)
    else:
        for c in Consultation.objects.filter(created_at__gte=low, created_at__lte=high).values(
            "from_team_id", "to_team_id", "answered_at"
        ):
            tallies[key_of(c["from_team_id"])].consultations_asked += 1
            if c["answered_at"] is not None:
                tallies[key_of(c["to_team_id"])].consultations_answered += 1
    result = [
        {"key": "|".join(str(k) for k in key), "label": labels[key], **t.row()}
        for key, t in tallies.items()
    ]
    return sorted(result, key=lambda row: row["label"])


def as_csv(rows: list[dict]) -> str:
    """The rows as CSV (core.csv_export: formula cells neutralized, a UTF-8 BOM): team and
    organization names come from the directory, which anyone may have typed."""
    out = io.StringIO()
    writer = SafeDictWriter(out, fieldnames=["label", *COLUMNS], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return BOM + out.getvalue()
