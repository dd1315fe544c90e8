"""The figures of programmes in practice, as pure functions on rows read by selectors.py.

No function here touches the database or a family's identity: each takes plain rows (ids,
dates, scores, or counts and means the database already grouped: the dashboard's families,
sessions and ratings) and returns numbers, so that a test can recompute every figure by
hand, and so that no name can end up in a figure.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from maillage.training.indicators import MeanInterval, add_months, t_critical_975

from .models import TRAINED_BY, EnrolmentStatus, Stage


def session_fidelity(scores: Sequence[int]) -> float | None:
    """A session's fidelity: the mean of its components' scores; none when it was not rated.
    Stored on the session when its ratings are written (ProgrammeSession.fidelity)."""
    return sum(scores) / len(scores) if scores else None


@dataclass(frozen=True)
class EnrolmentGroup:
    """Enrolments counted by what the figures tell apart (one row of a GROUP BY)."""

    status: str
    exit_reason: str
    eligible: bool
    count: int
    enrolled: int  # of which have an enrolment date


@dataclass(frozen=True)
class SessionTotals:
    sessions: int  # held or missed
    missed: int
    attended: int
    attended_rated: int  # attended and rated for fidelity


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Summary:
    """The median and mean of whole numbers given as {value: how many families}: the
    database counts, the few distinct values come here (not one row per family)."""

    counts: dict
    n: int
    median: float | None
    mean: float | None

    @classmethod
    def of_counts(cls, counts: dict) -> "Summary":
        counts = {v: c for v, c in counts.items() if c}
        n = sum(counts.values())
        if not n:
            return cls({}, 0, None, None)
        ordered = sorted(counts.items())

        def nth(k: int) -> int:  # the k-th smallest value, from 0
            for value, count in ordered:
                if k < count:
                    return value
                k -= count
            raise IndexError(k)

        # As statistics.median: the middle value, or the mean of the two middle ones.
        half = n // 2
        median = nth(half) if n % 2 else (nth(half - 1) + nth(half)) / 2
        return cls(dict(ordered), n, median, sum(v * c for v, c in ordered) / n)


# --- engagement and dose ------------------------------------------------------------------


def reach(groups: Sequence[EnrolmentGroup]) -> Ratio:
    """Eligible referred families who were enrolled ÷ eligible referred families."""
    eligible = [g for g in groups if g.eligible]
    return Ratio(sum(g.enrolled for g in eligible), sum(g.count for g in eligible))


def dose_distribution(per_family: Summary, planned_dose: int) -> list[tuple[str, int]]:
    """How many families received 0, 1, … sessions, the last bar "planned dose or more"."""
    counts: Counter = Counter()
    for sessions, families in per_family.counts.items():
        counts[min(sessions, planned_dose)] += families
    return [
        (f"{k}+" if k == planned_dose else str(k), counts.get(k, 0))
        for k in range(planned_dose + 1)
    ]


def completion(per_family: Summary, threshold: int) -> Ratio:
    """Enrolled families who attended at least `threshold` sessions ÷ enrolled families."""
    return Ratio(
        sum(families for sessions, families in per_family.counts.items() if sessions >= threshold),
        per_family.n,
    )


def no_shows(totals: SessionTotals) -> Ratio:
    """Sessions the family did not come to ÷ sessions planned (held or missed)."""
    return Ratio(totals.missed, totals.sessions)


def share_rated(totals: SessionTotals) -> Ratio:
    """Sessions the family came to that were rated for fidelity ÷ sessions they came to."""
    return Ratio(totals.attended_rated, totals.attended)


def exit_reasons(groups: Iterable[EnrolmentGroup]) -> Counter:
    found: Counter = Counter()
    for g in groups:
        if g.status == EnrolmentStatus.EXITED and g.exit_reason:
            found[g.exit_reason] += g.count
    return found


def status_counts(groups: Iterable[EnrolmentGroup]) -> Counter:
    found: Counter = Counter()
    for g in groups:
        found[g.status] += g.count
    return found


# --- trained capacity -----------------------------------------------------------------------


@dataclass
class Capacity:
    months: list[date]
    series: dict  # site id -> [count per month]
    now: dict  # site id -> trained practitioners still in the team today
    lost: dict = field(default_factory=dict)  # site id -> [practitioner ids who left]


def trained_capacity(
    *,
    trainings: Iterable[tuple],
    members: Iterable[tuple],
    departures: Iterable[tuple],
    months: list[date],
    today: date,
) -> Capacity:
    """Trained practitioners per site at the end of each month.

    `trainings`: (site id, practitioner id, kind, date); a practitioner counts from their
    first initial training or certification. `members`: (site id, practitioner id) of the
    site's team today. `departures`: (site id, practitioner id, date left). A trained
    practitioner counts until their departure; one no longer in the team with no date of
    departure counts as lost from today (their membership ended)."""
    trained_from: dict = {}
    for site_id, practitioner_id, kind, on in trainings:
        if kind in TRAINED_BY:
            key = (site_id, practitioner_id)
            if key not in trained_from or on < trained_from[key]:
                trained_from[key] = on
    in_team = set(members)
    left: dict = {(s, p): on for s, p, on in departures}
    for key in trained_from:
        if key not in in_team:
            left.setdefault(key, today)
        elif key in left and left[key] > today:
            del left[key]
    # Each site's trained practitioners apart: (trained from, left on or None).
    by_site: dict = defaultdict(list)
    now: dict = defaultdict(int)
    for (s, p), start in trained_from.items():
        by_site[s].append((start, left.get((s, p))))
        now[s] += (s, p) in in_team and (s, p) not in left
    sites = sorted(by_site, key=str)
    ends = [min(add_months(month, 1) - timedelta(days=1), today) for month in months]
    series = {
        site_id: [
            sum(
                1
                for start, gone in by_site[site_id]
                if start <= end and not (gone is not None and gone <= end)
            )
            for end in ends
        ]
        for site_id in sites
    }
    now = {site_id: now[site_id] for site_id in sites}
    lost: dict = defaultdict(list)
    for s, p in left:
        if (s, p) in trained_from:
            lost[s].append(p)
    return Capacity(months=months, series=series, now=now, lost=dict(lost))


def month_range(first: date, last: date) -> list[date]:
    month, months = first.replace(day=1), []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


# --- stages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageFigure:
    stage: str
    started_on: date | None
    finished_on: date | None
    days: int | None
    planned: int
    done: int

    @property
    def label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def share_done(self) -> float | None:
        return self.done / self.planned if self.planned else None


def stage_figures(rows: Iterable, order: Sequence[str], today: date) -> list[StageFigure]:
    """Per stage, in the model's order: days spent (to today while under way) and the share
    of its activities done. Rows: objects with stage, started_on, finished_on,
    activities_planned, activities_done."""
    by_stage = {r.stage: r for r in rows}
    found = []
    for stage in order:
        r = by_stage.get(stage)
        if r is None:
            found.append(StageFigure(stage, None, None, None, 0, 0))
            continue
        end = r.finished_on or today
        found.append(
            StageFigure(
                stage,
                r.started_on,
                r.finished_on,
                (end - r.started_on).days,
                r.activities_planned,
                r.activities_done,
            )
        )
    return found


# --- sustainability -------------------------------------------------------------------------


def domain_means(respondent_sums: Iterable[tuple]) -> dict:
    """{(year, domain): MeanInterval} from (year, domain, respondents, sum of their means,
    sum of their squares) rows: each respondent's mean score in the domain, then the mean
    of those over respondents with its t-based 95 % interval. The database sums (selectors);
    a scale of 1 to 7 leaves the sums exact enough for the standard deviation."""
    found = {}
    for year, domain, n, total, squares in sorted(respondent_sums, key=lambda r: r[:2]):
        n, total, squares = int(n), float(total), float(squares)
        mean = total / n
        if n < 2:
            found[(year, domain)] = MeanInterval(n, mean, None, None)
            continue
        stdev = math.sqrt(max(squares - n * mean * mean, 0.0) / (n - 1))
        half = t_critical_975(n - 1) * stdev / math.sqrt(n)
        found[(year, domain)] = MeanInterval(n, mean, mean - half, mean + half)
    return found


# --- register -------------------------------------------------------------------------------


def register_counts(factors: Iterable[tuple]) -> dict:
    """Counts of register entries from (polarity, category, sector codes, date heard) rows:
    by category and polarity, by sector (an entry counts once in each sector it names) and
    by year."""
    by_category: Counter = Counter()
    by_sector: Counter = Counter()
    by_year: Counter = Counter()
    for polarity, category, sectors, heard_on in factors:
        by_category[(category, polarity)] += 1
        for sector in sectors:
            by_sector[sector] += 1
        by_year[(heard_on.year, polarity)] += 1
    return {"category": by_category, "sector": by_sector, "year": by_year}


__all__ = ["MeanInterval"]
