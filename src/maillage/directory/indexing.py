"""The folded text a directory search matches against.

Choice labels go in both languages so that a French or an English query finds the same
team: "périnatalité", "perinatalite" and "perinatal" all match a perinatal-care team.
"""

from collections.abc import Iterable

from django.utils import translation

from maillage.core.text import fold
from maillage.core.tokens import split_codes

from .models import Organization, Population, Practitioner, Sector, ServiceOffer, ServiceType, Team


def _labels_in_both_languages(choices, codes: Iterable[str]) -> list[str]:
    labels = []
    known = dict(choices.choices)
    for language in ("fr", "en"):
        with translation.override(language):
            labels.extend(str(known[c]) for c in codes if c in known)
    return labels


def organization_text(org: Organization) -> str:
    parts = [org.name, org.code, org.territory, org.description]
    parts += _labels_in_both_languages(Sector, [org.sector])
    return fold(" ".join(parts))


def offer_text(offer: ServiceOffer) -> str:
    parts = [offer.name, offer.eligibility, offer.territory]
    parts += _labels_in_both_languages(ServiceType, [offer.service_type])
    parts += _labels_in_both_languages(Population, split_codes(offer.populations))
    return " ".join(parts)


def team_text(team: Team, org: Organization, offers: Iterable[ServiceOffer]) -> str:
    parts = [team.name, team.code, team.site, team.mandate, team.territory, org.name, org.territory]
    parts += _labels_in_both_languages(Sector, [org.sector])
    parts += [offer_text(o) for o in offers if o.is_active]
    return fold(" ".join(parts))


def practitioner_text(practitioner: Practitioner, team_names: Iterable[str] = ()) -> str:
    parts = [practitioner.first_name, practitioner.last_name, practitioner.email, *team_names]
    return fold(" ".join(parts))
