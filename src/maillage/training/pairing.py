"""Which pairs of the programme's teams should meet next.

A pair needs to meet when its teams work with the same families (circles of care), refer to
each other (most of all when referrals get declined), or belong to sectors that the
literature says must understand each other; it needs it less the more contact it already
has: immersions together (anywhere in the network), sessions already planned, practitioners
working in both teams. The score is need divided by one plus contact, so a pair with much
in common and no contact comes first, and pairs with nothing in common are not proposed.

Teams of one organization are left out: they know each other already.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maillage.directory.models import Sector, Team

from . import selectors
from .indicators import add_months
from .models import Programme

# Sectors whose teams should know each other (the immersion programme of the literature
# brought substance use, child protection, perinatal and early-childhood services together).
_CORE = [
    Sector.SUBSTANCE_USE,
    Sector.CHILD_PROTECTION,
    Sector.PERINATAL,
    Sector.EARLY_CHILDHOOD,
]
SECTORS_THAT_SHOULD_MEET = {frozenset(pair) for pair in combinations(_CORE, 2)} | {
    frozenset({Sector.HOME_VISITING, Sector.SUBSTANCE_USE}),
    frozenset({Sector.HOME_VISITING, Sector.CHILD_PROTECTION}),
    frozenset({Sector.INFANT_MENTAL_HEALTH, Sector.SUBSTANCE_USE}),
    frozenset({Sector.INFANT_MENTAL_HEALTH, Sector.CHILD_PROTECTION}),
    frozenset({Sector.INFANT_MENTAL_HEALTH, Sector.PERINATAL}),
    frozenset({Sector.COMMUNITY_OUTREACH, Sector.SUBSTANCE_USE}),
}

# Weights of the score. Shared families weigh most: they are people the two teams already
# serve together, often without knowing each other.
W_SHARED_FAMILY = 2.0
W_REFERRAL = 1.0
W_DECLINED = 3.0
W_SECTORS = 6.0
W_TRAINED = 4.0
W_PLANNED = 2.0
W_SHARED_PERSON = 1.0


@dataclass
class Suggestion:
    team_a: Team
    team_b: Team
    score: float
    shared_families: int
    referrals: int | None  # last twelve months, both ways; None: no referral data
    declined_last_quarter: int | None
    sectors_should_meet: bool
    trained_together: int
    planned: int
    shared_people: int

    @property
    def reason(self) -> str:
        """Why the pair is proposed, in the coordinator's words: "12 shared families, no
        training together, 3 declined referrals last quarter"."""
        parts = []
        if self.shared_families:
            parts.append(
                ngettext(
                    "%(count)s shared family", "%(count)s shared families", self.shared_families
                )
                % {"count": self.shared_families}
            )
        if self.trained_together:
            parts.append(
                ngettext(
                    "trained together once",
                    "trained together %(count)s times",
                    self.trained_together,
                )
                % {"count": self.trained_together}
            )
        else:
            parts.append(_("no training together"))
        if self.declined_last_quarter:
            parts.append(
                ngettext(
                    "%(count)s declined referral last quarter",
                    "%(count)s declined referrals last quarter",
                    self.declined_last_quarter,
                )
                % {"count": self.declined_last_quarter}
            )
        if self.referrals:
            parts.append(
                ngettext(
                    "%(count)s referral in the last 12 months",
                    "%(count)s referrals in the last 12 months",
                    self.referrals,
                )
                % {"count": self.referrals}
            )
        if self.sectors_should_meet:
            parts.append(_("sectors that should work together"))
        if self.planned:
            parts.append(_("a session together is already planned"))
        if self.shared_people:
            parts.append(
                ngettext(
                    "%(count)s practitioner works in both",
                    "%(count)s practitioners work in both",
                    self.shared_people,
                )
                % {"count": self.shared_people}
            )
        return ", ".join(parts)


def last_quarter(today: date) -> tuple[date, date]:
    """The first months of the previous calendar quarter and of the current one."""
    current = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return add_months(current, -3), current


def suggest_pairs(
    *, fetched_by, programme: Programme, today: date | None = None
) -> list[Suggestion]:
    """Every pair of the programme's teams (of different organizations) with a need to meet,
    best first."""
    today = today or timezone.localdate()
    teams = {pt.team_id: pt.team for pt in selectors.programme_teams(programme)}
    overlap = selectors.circle_overlap(
        fetched_by=fetched_by, programme=programme, perm="training.view_pairings"
    )
    referral_rows = selectors.referral_counts(team_ids=list(teams))
    trained = selectors.training_links()
    planned = selectors.planned_links()
    shared_people = selectors.memberships_between(list(teams))

    referrals: Counter = Counter()
    declined: Counter = Counter()
    year_ago = add_months(today.replace(day=1), -12)
    quarter_start, quarter_end = last_quarter(today)
    for (from_id, to_id, month), count in (referral_rows or {}).items():
        pair = selectors.team_pair(from_id, to_id)
        if month >= year_ago:
            referrals[pair] += count.total
        if quarter_start <= month < quarter_end:
            declined[pair] += count.declined

    suggestions = []
    for a, b in combinations(sorted(teams.values(), key=lambda t: (t.name, str(t.pk))), 2):
        if a.organization_id == b.organization_id:
            continue
        pair = selectors.team_pair(a.pk, b.pk)
        should_meet = (
            frozenset({a.organization.sector, b.organization.sector}) in SECTORS_THAT_SHOULD_MEET
        )
        need = (
            W_SHARED_FAMILY * overlap.shared_families[pair]
            + W_REFERRAL * referrals[pair]
            + W_DECLINED * declined[pair]
            + (W_SECTORS if should_meet else 0.0)
        )
        if need <= 0:
            continue
        sessions_together = len(trained.get(pair, []))
        contact = (
            W_TRAINED * sessions_together
            + W_PLANNED * planned[pair]
            + W_SHARED_PERSON * shared_people[pair]
        )
        suggestions.append(
            Suggestion(
                team_a=a,
                team_b=b,
                score=need / (1.0 + contact),
                shared_families=overlap.shared_families[pair],
                referrals=None if referral_rows is None else referrals[pair],
                declined_last_quarter=None if referral_rows is None else declined[pair],
                sectors_should_meet=should_meet,
                trained_together=sessions_together,
                planned=planned[pair],
                shared_people=shared_people[pair],
            )
        )
    suggestions.sort(key=lambda s: (-s.score, -s.shared_families, s.team_a.name, s.team_b.name))
    return suggestions
