"""Referrals reuse the families' setting: a family recorded by a CLSC, shared under
consent with a CRD (addiction treatment centre), and a hospital the consent does not cover."""

import pytest

from maillage.referrals import services
from tests.families.conftest import care, practitioner  # noqa: F401 - shared fixtures


@pytest.fixture
def referral(care):  # noqa: F811 - the imported fixture, requested by name
    """The CLSC's lead worker refers the family to the CRD's mother-child team."""
    return services.refer_family(
        by=care["users"]["owner"],
        family=care["family"],
        from_team=care["teams"]["perinatal"],
        to_team=care["teams"]["mother_child"],
        reason="Suivi en dépendance pendant la grossesse",
        family_wishes="Être suivie près de chez elle",
        urgency="urgent",
    )
