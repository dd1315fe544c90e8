"""What a review group learns over a period: meetings, situations, harms, types of
malfunction, sector pairs, improvement actions and how the meetings were rated.

Counts come from the database rows of held meetings only: a meeting still scheduled (or
cancelled) has not taught anything yet.
"""

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import combinations

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core import csv_export
from maillage.core.tokens import split_codes
from maillage.directory.models import Sector

from .models import (
    Avoidable,
    Harm,
    ImprovementAction,
    MalfunctionType,
    Meeting,
    MeetingStatus,
    ReviewGroup,
    Situation,
    SituationKind,
    SituationStatus,
)


@dataclass
class RatingPoint:
    meeting: Meeting
    average: float | None
    count: int


@dataclass
class Statistics:
    start: date
    end: date
    meetings_held: int = 0
    situations_presented: int = 0
    malfunctions: int = 0
    went_well: int = 0
    harmed_patient: int = 0
    harmed_carer: int = 0
    avoidable: int = 0
    partly_avoidable: int = 0
    by_type: list[tuple[str, str, int]] = field(default_factory=list)
    by_sector_pair: list[tuple[tuple[str, str], str, int]] = field(default_factory=list)
    actions_opened: int = 0
    actions_closed: int = 0
    actions_overdue: int = 0
    ratings: list[RatingPoint] = field(default_factory=list)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def default_period(today: date | None = None) -> tuple[date, date]:
    """The twelve months up to today."""
    today = today or timezone.localdate()
    return today - timedelta(days=364), today


def sector_pairs(codes: str) -> list[tuple[str, str]]:
    """Every pair of sectors involved together in one situation; a situation within one
    sector counts as the pair of that sector with itself."""
    sectors = sorted(set(split_codes(codes)))
    if len(sectors) == 1:
        return [(sectors[0], sectors[0])]
    return list(combinations(sectors, 2))


def group_statistics(
    group: ReviewGroup, *, start: date, end: date, today: date | None = None
) -> Statistics:
    since, until = _bounds(start, end)
    stats = Statistics(start=start, end=end)
    meetings = Meeting.objects.filter(
        group=group, status=MeetingStatus.HELD, starts_at__gte=since, starts_at__lt=until
    )
    stats.meetings_held = meetings.count()

    presented = Situation.objects.filter(
        group=group, status=SituationStatus.PRESENTED, meeting__in=meetings
    )
    counts = presented.aggregate(
        total=Count("id"),
        malfunctions=Count("id", filter=Q(kind=SituationKind.MALFUNCTION)),
        went_well=Count("id", filter=Q(kind=SituationKind.WENT_WELL)),
        harmed_patient=Count("id", filter=Q(analysis__patient_harm=Harm.YES)),
        harmed_carer=Count("id", filter=Q(analysis__carer_harm=Harm.YES)),
        avoidable=Count("id", filter=Q(analysis__avoidable=Avoidable.YES)),
        partly=Count("id", filter=Q(analysis__avoidable=Avoidable.PARTLY)),
    )
    stats.situations_presented = counts["total"]
    stats.malfunctions = counts["malfunctions"]
    stats.went_well = counts["went_well"]
    stats.harmed_patient = counts["harmed_patient"]
    stats.harmed_carer = counts["harmed_carer"]
    stats.avoidable = counts["avoidable"]
    stats.partly_avoidable = counts["partly"]

    # Types and sectors are stored as code lists: counted here, over a year's few rows.
    types: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for sectors, type_codes in presented.values_list("sectors", "analysis__malfunction_types"):
        types.update(set(split_codes(type_codes or "")))
        pairs.update(sector_pairs(sectors))
    stats.by_type = [
        (code, str(label), types[code]) for code, label in MalfunctionType.choices if types[code]
    ]
    sector_labels = dict(Sector.choices)
    stats.by_sector_pair = [
        (
            pair,
            str(sector_labels.get(pair[0], pair[0]))
            if pair[0] == pair[1]
            else f"{sector_labels.get(pair[0], pair[0])} + {sector_labels.get(pair[1], pair[1])}",
            count,
        )
        for pair, count in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))
    ]

    actions = ImprovementAction.objects.filter(situation__group=group)
    stats.actions_opened = actions.filter(
        opened_at_meeting__starts_at__gte=since, opened_at_meeting__starts_at__lt=until
    ).count()
    stats.actions_closed = actions.filter(closed_at__gte=since, closed_at__lt=until).count()
    # Overdue as the period ends (or today, for a period that is not over).
    as_of = min(end, today or timezone.localdate())
    as_of_end = _bounds(as_of, as_of)[1]
    stats.actions_overdue = (
        actions.filter(opened_at_meeting__starts_at__lt=as_of_end, due_date__lt=as_of)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=as_of_end))
        .count()
    )

    stats.ratings = [
        RatingPoint(meeting, meeting.average, meeting.count)
        for meeting in meetings.select_related("host")
        .annotate(average=Avg("ratings__rating"), count=Count("ratings"))
        .order_by("starts_at")
    ]
    return stats


def statistics_csv(group: ReviewGroup, stats: Statistics) -> str:
    """One row per figure: section, item, value. Labels in the active language."""
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow([_("section"), _("item"), _("value")])
    writer.writerow([_("group"), _("name"), group.name])
    writer.writerow([_("period"), _("from"), stats.start.isoformat()])
    writer.writerow([_("period"), _("to"), stats.end.isoformat()])
    summary = [
        (_("Meetings held"), stats.meetings_held),
        (_("Situations presented"), stats.situations_presented),
        (_("Malfunctions"), stats.malfunctions),
        (_("Situations that went well"), stats.went_well),
        (_("Harmed the patient"), stats.harmed_patient),
        (_("Harmed the carer"), stats.harmed_carer),
        (_("Avoidable"), stats.avoidable),
        (_("Partly avoidable"), stats.partly_avoidable),
        (_("Improvement actions opened"), stats.actions_opened),
        (_("Improvement actions closed"), stats.actions_closed),
        (_("Improvement actions overdue"), stats.actions_overdue),
    ]
    for label, value in summary:
        writer.writerow([_("summary"), label, value])
    for _code, label, count in stats.by_type:
        writer.writerow([_("type of malfunction"), label, count])
    for _pair, label, count in stats.by_sector_pair:
        writer.writerow([_("sectors involved"), label, count])
    for point in stats.ratings:
        day = timezone.localtime(point.meeting.starts_at).date().isoformat()
        average = "" if point.average is None else f"{point.average:.2f}"
        writer.writerow([_("round-table rating"), day, average])
    return csv_export.BOM + out.getvalue()
