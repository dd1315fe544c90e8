"""The programme on the network map, before and after a phase.

The map shows the organizations of the programme's teams, linked as on the directory's map
(practitioners they share) and by "trained together" links: organizations whose teams met in
an immersion held before the day the map is drawn for. Drawing it at the start and at the end
of a phase shows what the phase wove.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import networkx as nx
from django.utils import timezone

from maillage.directory import network_map
from maillage.directory.models import Team

from . import selectors
from .models import Phase, Programme


def phase_days(phase: Phase, today: date | None = None) -> tuple[date, date]:
    """The days the "before" and "after" maps are drawn for: the phase's first day, and the
    day after its last (or tomorrow, while the phase is under way)."""
    today = today or timezone.localdate()
    return phase.starts_on, min(phase.ends_on, today) + timedelta(days=1)


def programme_graph(*, fetched_by, programme: Programme, until: date | None) -> nx.MultiGraph:
    """A few queries whatever the size of the network."""
    base = network_map.organization_graph(fetched_by=fetched_by, kinds=("shared_practitioners",))
    org_of_team = dict(
        Team.objects.filter(id__in=programme.programme_teams.values("team_id")).values_list(
            "id", "organization_id"
        )
    )
    # A multigraph: two organizations may share practitioners and have trained together.
    graph = nx.MultiGraph(base.subgraph(set(org_of_team.values())))
    weights: Counter = Counter()
    for (a, b), days in selectors.training_links(programme=programme, until=until).items():
        org_a, org_b = org_of_team.get(a), org_of_team.get(b)
        if org_a and org_b and org_a != org_b:
            weights[selectors.team_pair(org_a, org_b)] += len(days)
    for (org_a, org_b), sessions in weights.items():
        graph.add_edge(org_a, org_b, kind="trained_together", weight=sessions)
    return graph


def render_svg(graph: nx.MultiGraph) -> str:
    return network_map.render_svg(graph)


@dataclass
class PhaseChange:
    """The text alternative of the two maps."""

    first_day: date
    # The phase's last day, or today while it is under way.
    last_day: date
    ongoing: bool
    pairs_before: int = 0
    pairs_after: int = 0
    new_pairs: list[tuple[Team, Team, int]] = field(default_factory=list)


def phase_change(*, programme: Programme, phase: Phase, today: date | None = None) -> PhaseChange:
    """Pairs of teams trained together before the phase and at its end, and the new ones."""
    today = today or timezone.localdate()
    start, end = phase_days(phase, today)
    before = selectors.training_links(programme=programme, until=start)
    after = selectors.training_links(programme=programme, until=end)
    new = {pair: len(days) for pair, days in after.items() if pair not in before}
    teams = Team.objects.select_related("organization").in_bulk({t for pair in new for t in pair})
    rows = [
        (teams[a], teams[b], sessions)
        for (a, b), sessions in new.items()
        if a in teams and b in teams
    ]
    rows.sort(key=lambda row: (row[0].name, row[1].name))
    return PhaseChange(
        first_day=start,
        last_day=end - timedelta(days=1),
        ongoing=phase.ends_on >= today,
        pairs_before=len(before),
        pairs_after=len(after),
        new_pairs=rows,
    )
