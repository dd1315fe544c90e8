"""Joint follow-up links for the directory's network map: organizations weighted by the
families they follow together (active circle members of both). Aggregates only."""

from collections import Counter, defaultdict
from itertools import combinations

from .models import CircleMember


def joint_follow_up_links() -> dict:
    orgs_of_family: dict = defaultdict(set)
    for family_id, org_id in CircleMember.objects.filter(left_at__isnull=True).values_list(
        "family_id", "team__organization_id"
    ):
        orgs_of_family[family_id].add(org_id)
    weights: Counter = Counter()
    for orgs in orgs_of_family.values():
        for a, b in combinations(sorted(orgs, key=str), 2):
            weights[(a, b)] += 1
    return weights
