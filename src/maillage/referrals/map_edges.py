"""Referral links for the directory's network map: organizations weighted by the referrals
sent between them (either way). Aggregates only: no family appears."""

from collections import Counter

from django.db.models import Count

from .models import Referral


def referral_links() -> dict:
    weights: Counter = Counter()
    for row in (
        Referral.objects.exclude(requested_at=None)
        .values("from_team__organization_id", "to_team__organization_id")
        .annotate(n=Count("id"))
    ):
        a, b = row["from_team__organization_id"], row["to_team__organization_id"]
        weights[tuple(sorted((a, b), key=str))] += row["n"]
    return weights
