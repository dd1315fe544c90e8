""" "Trained together" links for the directory's network map: organizations weighted by the
immersion sessions held between their teams, across all programmes."""

from collections import Counter

from maillage.directory.models import Team

from .selectors import team_pair, training_links


def trained_together_links() -> dict:
    links = training_links()
    teams = {team for pair in links for team in pair}
    org_of_team = dict(Team.objects.filter(id__in=teams).values_list("id", "organization_id"))
    weights: Counter = Counter()
    for (a, b), days in links.items():
        org_a, org_b = org_of_team.get(a), org_of_team.get(b)
        if org_a and org_b and org_a != org_b:
            weights[team_pair(org_a, org_b)] += len(days)
    return weights
