"""The figures of programmes in practice, as pure functions on rows read by selectors.py.

No function here touches the database or a family's identity: each takes plain rows (ids,
dates, scores) and returns numbers, so that a test can recompute every figure by hand from
the same rows, and so that no name can end up in a figure.
"""

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from maillage.training.indicators import MeanInterval, add_months, mean_with_interval

from .models import TRAINED_BY, EnrolmentStatus, Stage


@dataclass(frozen=True)
class EnrolmentRow:
    id: object
    site_id: object
    status: str
    eligible: bool
    referred_on: date
    enrolled_on: date | None
    ended_on: date | None
    exit_reason: str


@dataclass(frozen=True)
class SessionRow:
    id: object
    enrolment_id: object
    site_id: object
    practitioner_id: object
    held_on: date
    attended: bool


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Summary:
    values: tuple
    median: float | None
    mean: float | None

    @classmethod
    def of(cls, values: Iterable[float]) -> "Summary":
        values = tuple(values)
        if not values:
            return cls((), None, None)
        return cls(values, statistics.median(values), statistics.fmean(values))


# --- engagement and dose ------------------------------------------------------------------


def reach(enrolments: Sequence[EnrolmentRow]) -> Ratio:
    """Eligible referred families who were enrolled ÷ eligible referred families."""
    eligible = [e for e in enrolments if e.eligible]
    return Ratio(sum(1 for e in eligible if e.enrolled_on is not None), len(eligible))


def attended_by_enrolment(sessions: Iterable[SessionRow]) -> dict:
    counts: Counter = Counter()
    for s in sessions:
        if s.attended:
            counts[s.enrolment_id] += 1
    return counts


def days_to_first_session(
    enrolments: Sequence[EnrolmentRow], sessions: Iterable[SessionRow]
) -> Summary:
    """Days from referral to the first session the family came to, for every family that
    came to one."""
    first: dict = {}
    for s in sessions:
        if s.attended and (s.enrolment_id not in first or s.held_on < first[s.enrolment_id]):
            first[s.enrolment_id] = s.held_on
    return Summary.of((first[e.id] - e.referred_on).days for e in enrolments if e.id in first)


def sessions_per_family(
    enrolments: Sequence[EnrolmentRow], sessions: Iterable[SessionRow]
) -> Summary:
    """Sessions attended by each enrolled family (0 for an enrolled family not yet seen)."""
    counts = attended_by_enrolment(sessions)
    return Summary.of(counts.get(e.id, 0) for e in enrolments if e.enrolled_on is not None)


def dose_distribution(per_family: Summary, planned_dose: int) -> list[tuple[str, int]]:
    """How many families received 0, 1, … sessions, the last bar "planned dose or more"."""
    counts = Counter(min(v, planned_dose) for v in per_family.values)
    return [
        (f"{k}+" if k == planned_dose else str(k), counts.get(k, 0))
        for k in range(planned_dose + 1)
    ]


def completion(
    enrolments: Sequence[EnrolmentRow], sessions: Iterable[SessionRow], threshold: int
) -> Ratio:
    """Enrolled families who attended at least `threshold` sessions ÷ enrolled families."""
    counts = attended_by_enrolment(sessions)
    enrolled = [e for e in enrolments if e.enrolled_on is not None]
    return Ratio(sum(1 for e in enrolled if counts.get(e.id, 0) >= threshold), len(enrolled))


def no_shows(sessions: Sequence[SessionRow]) -> Ratio:
    """Sessions the family did not come to ÷ sessions planned (held or missed)."""
    return Ratio(sum(1 for s in sessions if not s.attended), len(sessions))


def exit_reasons(enrolments: Iterable[EnrolmentRow]) -> Counter:
    return Counter(
        e.exit_reason for e in enrolments if e.status == EnrolmentStatus.EXITED and e.exit_reason
    )


def status_counts(enrolments: Iterable[EnrolmentRow]) -> Counter:
    return Counter(e.status for e in enrolments)


# --- fidelity -------------------------------------------------------------------------------


def session_means(ratings: Iterable[tuple]) -> dict:
    """{session id: mean of its component scores} from (session id, score) rows."""
    scores: dict = defaultdict(list)
    for session_id, score in ratings:
        scores[session_id].append(score)
    return {k: statistics.fmean(v) for k, v in scores.items()}


def share_rated(sessions: Sequence[SessionRow], means: dict) -> Ratio:
    attended = [s for s in sessions if s.attended]
    return Ratio(sum(1 for s in attended if s.id in means), len(attended))


def fidelity_by(sessions: Iterable[SessionRow], means: dict, key: str) -> dict:
    """Mean fidelity (the mean of rated sessions' means) per practitioner or per site."""
    grouped: dict = defaultdict(list)
    for s in sessions:
        if s.id in means:
            grouped[getattr(s, key)].append(means[s.id])
    return {k: statistics.fmean(v) for k, v in grouped.items()}


def fidelity_trend(
    sessions: Iterable[SessionRow], means: dict
) -> list[tuple[tuple[int, int], float, int]]:
    """((year, quarter 1 to 4), mean fidelity of the quarter's rated sessions, sessions rated),
    in order."""
    grouped: dict = defaultdict(list)
    for s in sessions:
        if s.id in means:
            grouped[(s.held_on.year, (s.held_on.month - 1) // 3)].append(means[s.id])
    return [
        ((year, q + 1), statistics.fmean(values), len(values))
        for (year, q), values in sorted(grouped.items())
    ]


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
    sites = sorted({s for s, _p in trained_from}, key=str)
    series: dict = {}
    for site_id in sites:
        row = []
        for month in months:
            end = min(add_months(month, 1) - timedelta(days=1), today)
            row.append(
                sum(
                    1
                    for (s, p), start in trained_from.items()
                    if s == site_id
                    and start <= end
                    and not ((s, p) in left and left[(s, p)] <= end)
                )
            )
        series[site_id] = row
    now = {
        site_id: sum(
            1
            for (s, p) in trained_from
            if s == site_id and (s, p) in in_team and (s, p) not in left
        )
        for site_id in sites
    }
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


def domain_means(answers: Iterable[tuple]) -> dict:
    """{(year, domain): MeanInterval} from (assessment id, year, domain, score) rows: each
    respondent's domain score is the mean of their answers in the domain; the figure is the
    mean of those scores over respondents, with its t-based 95 % interval."""
    per_respondent: dict = defaultdict(list)
    for assessment_id, year, domain, score in answers:
        per_respondent[(year, domain, assessment_id)].append(score)
    grouped: dict = defaultdict(list)
    for (year, domain, _a), scores in per_respondent.items():
        grouped[(year, domain)].append(statistics.fmean(scores))
    return {key: mean_with_interval(values) for key, values in sorted(grouped.items())}


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
