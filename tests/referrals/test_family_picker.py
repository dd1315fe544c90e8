"""The referral form's family picker is searched by name (accents and case aside), on
what the reader may see; the referrer's choice to leave on a hand-over is kept."""

import pytest
from django.urls import reverse
from django.utils import translation

from maillage.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _family_options(html: str) -> str:
    start = html.index('name="family"')
    return html[start : html.index("</select>", start)]


def test_the_picker_finds_a_family_by_name_without_accents(care, client):
    client.force_login(care["users"]["owner"])
    html = client.get(reverse("referrals:new"), {"q": "melanie cote"}).content.decode()
    assert "Mélanie Côté" in _family_options(html)
    assert 'id="family-q"' in html


def test_the_picker_leaves_out_families_that_do_not_match(care, client):
    client.force_login(care["users"]["owner"])
    html = client.get(reverse("referrals:new"), {"q": "Tremblay"}).content.decode()
    assert str(care["family"].id) not in _family_options(html)
    with translation.override("fr"):
        assert translation.gettext("No family you follow matches this search.") in html


def test_the_picker_finds_a_family_by_its_reference(care, client):
    client.force_login(care["users"]["owner"])
    reference = care["family"].reference.lower()
    html = client.get(reverse("referrals:new"), {"q": reference}).content.decode()
    assert str(care["family"].id) in _family_options(html)


def test_the_referrer_chooses_to_leave_on_a_hand_over_when_referring(care, client):
    client.force_login(care["users"]["owner"])
    response = client.post(
        reverse("referrals:new"),
        {
            "family": care["family"].id,
            "from_team": care["teams"]["perinatal"].id,
            "to_team": care["teams"]["mother_child"].id,
            "reason": "Suivi en dépendance",
            "urgency": "routine",
            "categories": ["identity"],
            "referrer_leaves_on_hand_over": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Referral.objects.get().referrer_leaves_on_hand_over
