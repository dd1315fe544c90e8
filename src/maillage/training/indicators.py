"""The effects of a cross-training programme, computed from its own data.

1. Change in self-assessments, paired: for each respondent (a practitioner), the answer to
   a statement before their immersion (their first "before" questionnaire in the programme)
   and after it (their last "after" questionnaire). The change is the mean of the
   differences after - before, with a 95 % confidence interval from Student's t
   distribution: mean ± t(0.975, n - 1) · s / √n, s being the sample standard deviation of
   the differences. "All statements" pairs each respondent's mean over the statements they
   answered both times. Below MIN_RESPONDENTS respondents an aggregate would be one or two
   people's answers: it is computed but not shown.

2. Referrals and joint follow-ups per month between pairs of participating teams, for the
   pairs that trained together (reference: the day of their first session together) and
   those that did not (reference: the median day of the trained pairs' first sessions, so
   that both groups are compared over the same stretch of calendar time), in the
   WINDOW_MONTHS whole months before and after the reference month. A pair with no event in
   either window, or no whole month yet after its reference, has no data: it is left out of
   the means and counted apart, never averaged in as zeros. Without referral data at all
   (the network does not record referrals) the referral rows say so.
"""

import io
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations
from statistics import NormalDist
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maillage.core import csv_export

from . import selectors
from .models import Moment, Programme, QuestionnaireItem

MIN_RESPONDENTS = 3
WINDOW_MONTHS = 6

# Two-sided 95 % critical values of Student's t, t(0.975, df), df = 1..30 (any statistics
# table; e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
T_975 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    11: 2.201,
    12: 2.179,
    13: 2.160,
    14: 2.145,
    15: 2.131,
    16: 2.120,
    17: 2.110,
    18: 2.101,
    19: 2.093,
    20: 2.086,
    21: 2.080,
    22: 2.074,
    23: 2.069,
    24: 2.064,
    25: 2.060,
    26: 2.056,
    27: 2.052,
    28: 2.048,
    29: 2.045,
    30: 2.042,
}


def t_critical_975(df: int) -> float:
    """t(0.975, df). From the table up to 30 degrees of freedom; above, the Cornish-Fisher
    expansion of t in powers of 1/df around the normal quantile (Abramowitz & Stegun 26.7.5),
    which matches the tables to four decimals there (2.0423 at df = 30) and tends to 1.96.
    scipy is not a dependency: this is all the t distribution the app needs."""
    if df < 1:
        raise ValueError("A t interval needs at least one degree of freedom.")
    if df in T_975:
        return T_975[df]
    z = NormalDist().inv_cdf(0.975)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


@dataclass
class MeanInterval:
    n: int
    mean: float | None
    low: float | None
    high: float | None


def mean_with_interval(values: Sequence[float]) -> MeanInterval:
    """The mean and its t-based 95 % confidence interval (none below two values)."""
    n = len(values)
    if n == 0:
        return MeanInterval(0, None, None, None)
    mean = statistics.fmean(values)
    if n < 2:
        return MeanInterval(n, mean, None, None)
    half = t_critical_975(n - 1) * statistics.stdev(values) / math.sqrt(n)
    return MeanInterval(n, mean, mean - half, mean + half)


# --- 1. paired change in self-assessments -------------------------------------------------


@dataclass
class ItemChange:
    """The paired change for one statement, or for all of them (item None)."""

    label: str
    item: QuestionnaireItem | None
    respondents: int
    before: float | None
    after: float | None
    change: float | None
    low: float | None
    high: float | None

    @property
    def shown(self) -> bool:
        return self.respondents >= MIN_RESPONDENTS

    @property
    def key(self) -> str:
        return str(self.item.pk) if self.item is not None else "all"


def _paired_values(rows: Iterable[tuple]) -> dict[Any, dict[Any, tuple[int, int]]]:
    """respondent -> item -> (first before, last after), for items answered both times."""
    before: dict[tuple, tuple[datetime, int]] = {}
    after: dict[tuple, tuple[datetime, int]] = {}
    for respondent, moment, submitted_at, item_id, value in rows:
        key = (respondent, item_id)
        if moment == Moment.BEFORE:
            if key not in before or submitted_at < before[key][0]:
                before[key] = (submitted_at, value)
        elif key not in after or submitted_at > after[key][0]:
            after[key] = (submitted_at, value)
    pairs: dict[Any, dict[Any, tuple[int, int]]] = defaultdict(dict)
    for key in before.keys() & after.keys():
        respondent, item_id = key
        pairs[respondent][item_id] = (before[key][1], after[key][1])
    return pairs


def _item_change(label: str, item, couples: list[tuple[float, float]]) -> ItemChange:
    interval = mean_with_interval([a - b for b, a in couples])
    return ItemChange(
        label=label,
        item=item,
        respondents=interval.n,
        before=statistics.fmean(b for b, _a in couples) if couples else None,
        after=statistics.fmean(a for _b, a in couples) if couples else None,
        change=interval.mean,
        low=interval.low,
        high=interval.high,
    )


def self_assessment_change(*, fetched_by, programme: Programme) -> list[ItemChange]:
    """One row per statement of the programme, then one for all statements together."""
    pairs = _paired_values(selectors.assessment_answers(fetched_by=fetched_by, programme=programme))
    items = list(programme.questionnaire_items.all())
    rows = []
    for item in items:
        couples = [answers[item.pk] for answers in pairs.values() if item.pk in answers]
        if couples or item.is_active:
            rows.append(_item_change(item.text, item, couples))
    overall = [
        (
            statistics.fmean(b for b, _a in answers.values()),
            statistics.fmean(a for _b, a in answers.values()),
        )
        for answers in pairs.values()
        if answers
    ]
    rows.append(_item_change(_("All statements"), None, overall))
    return rows


# --- 2. referrals and joint follow-ups, trained pairs versus untrained pairs --------------

MEASURES = ("referrals", "joint_follow_ups")
GROUPS = ("trained", "untrained")


def measure_label(measure: str) -> str:
    return {
        "referrals": _("Referrals per month"),
        "joint_follow_ups": _("New joint follow-ups per month"),
    }[measure]


def group_label(group: str) -> str:
    return {
        "trained": _("Pairs of teams trained together"),
        "untrained": _("Pairs of teams not trained together"),
    }[group]


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class PairRate:
    pair: tuple
    trained: bool
    reference: date
    before: float
    after: float
    months_after: int


@dataclass
class GroupRates:
    measure: str
    group: str
    # No data at all for this measure in the network (referrals not recorded).
    available: bool
    pairs: list[PairRate] = field(default_factory=list)
    pairs_without_data: int = 0

    @property
    def pairs_with_data(self) -> int:
        return len(self.pairs)

    @property
    def before(self) -> float | None:
        return statistics.fmean(p.before for p in self.pairs) if self.pairs else None

    @property
    def after(self) -> float | None:
        return statistics.fmean(p.after for p in self.pairs) if self.pairs else None

    @property
    def label(self) -> str:
        return group_label(self.group)

    @property
    def measure_label(self) -> str:
        return measure_label(self.measure)


def pair_rate(
    series: Counter, reference: date, *, this_month: date, window: int = WINDOW_MONTHS
) -> tuple[float, float, int] | None:
    """Events per month in the `window` whole months before the reference month and in the
    whole months after it (at most `window`, none later than last month). None when the pair
    has no data: no whole month after yet, or no event in either window."""
    ref_month = reference.replace(day=1)
    before_months = [add_months(ref_month, -k) for k in range(1, window + 1)]
    after_months = [
        m for m in (add_months(ref_month, k) for k in range(1, window + 1)) if m < this_month
    ]
    if not after_months:
        return None
    before_total = sum(series.get(m, 0) for m in before_months)
    after_total = sum(series.get(m, 0) for m in after_months)
    if before_total == 0 and after_total == 0:
        return None
    return before_total / len(before_months), after_total / len(after_months), len(after_months)


def _referral_series(counts) -> dict[tuple, Counter]:
    series: dict[tuple, Counter] = defaultdict(Counter)
    for (from_id, to_id, month), count in counts.items():
        if from_id != to_id:
            series[selectors.team_pair(from_id, to_id)][month] += count.total
    return series


def pair_rates(*, fetched_by, programme: Programme, today: date | None = None) -> list[GroupRates]:
    """Trained and untrained pairs of the programme's teams, for each measure."""
    this_month = (today or timezone.localdate()).replace(day=1)
    team_ids = list(programme.programme_teams.values_list("team_id", flat=True))
    firsts = {pair: days[0] for pair, days in selectors.training_links(programme=programme).items()}
    # Untrained pairs are read around the day a typical trained pair first met (the lower
    # median, a real session day): the same months, so that what changed for everyone over
    # that time is not credited to the training.
    days = sorted(firsts.values())
    untrained_reference = days[(len(days) - 1) // 2] if days else None
    overlap = selectors.circle_overlap(fetched_by=fetched_by, programme=programme)
    referrals = selectors.referral_counts(team_ids=team_ids)
    sources: dict[str, dict[tuple, Counter] | None] = {
        "referrals": None if referrals is None else _referral_series(referrals),
        "joint_follow_ups": overlap.joint_starts,
    }
    results = []
    for measure in MEASURES:
        series = sources[measure]
        groups = {g: GroupRates(measure, g, available=series is not None) for g in GROUPS}
        if series is not None:
            for a, b in combinations(sorted(team_ids, key=str), 2):
                pair = selectors.team_pair(a, b)
                trained = pair in firsts
                reference = firsts.get(pair, untrained_reference)
                group = groups["trained" if trained else "untrained"]
                if reference is None:
                    group.pairs_without_data += 1
                    continue
                rate = pair_rate(series.get(pair, Counter()), reference, this_month=this_month)
                if rate is None:
                    group.pairs_without_data += 1
                    continue
                before, after, months = rate
                group.pairs.append(PairRate(pair, trained, reference, before, after, months))
        results.extend(groups[g] for g in GROUPS)
    return results


# --- export ------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def effects_csv(changes: list[ItemChange], rates: list[GroupRates]) -> str:
    """Both indicators in one CSV, as shown on the programme page (suppressed cells empty)."""
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(
        [
            "indicator",
            "measure",
            "group",
            "n",
            "before",
            "after",
            "change",
            "ci95_low",
            "ci95_high",
            "note",
        ]
    )
    for row in changes:
        shown = row.shown
        writer.writerow(
            [
                "self_assessment_change",
                row.label,
                "respondents",
                row.respondents,
                _number(row.before if shown else None),
                _number(row.after if shown else None),
                _number(row.change if shown else None),
                _number(row.low if shown else None),
                _number(row.high if shown else None),
                ""
                if shown
                else ngettext(
                    "Fewer than %(count)s respondent: not shown.",
                    "Fewer than %(count)s respondents: not shown.",
                    MIN_RESPONDENTS,
                )
                % {"count": MIN_RESPONDENTS},
            ]
        )
    for group in rates:
        note = (
            _("No data: the network does not record referrals yet.")
            if not group.available
            else ngettext(
                "%(count)s pair without data left out.",
                "%(count)s pairs without data left out.",
                group.pairs_without_data,
            )
            % {"count": group.pairs_without_data}
        )
        writer.writerow(
            [
                "pairs_per_month",
                group.measure,
                group.group,
                group.pairs_with_data,
                _number(group.before),
                _number(group.after),
                _number(
                    None
                    if group.before is None or group.after is None
                    else group.after - group.before
                ),
                "",
                "",
                note,
            ]
        )
    return csv_export.BOM + out.getvalue()
