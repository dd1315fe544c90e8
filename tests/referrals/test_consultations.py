"""Case consultations: de-identified questions identify no one; linked ones need consent."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.referrals import services
from maillage.referrals.models import Consultation

pytestmark = pytest.mark.django_db


def ask(care, question, **kwargs):
    return services.ask_consultation(
        by=care["users"]["owner"],
        from_team=care["teams"]["perinatal"],
        to_team=care["teams"]["mother_child"],
        subject="Sevrage et allaitement",
        question=question,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("question", "found"),
    [
        ("Mélanie Côté consomme encore, que faire?", "Mélanie Côté"),
        ("melanie cote consomme encore, que faire?", "melanie cote"),
        ("Sa carte RAMQ est COTM 8506 1234, dossier urgent.", "COTM 8506 1234"),
        ("Rappeler au 819-555-0199 avant vendredi.", "819-555-0199"),
        ("Née le 1999-04-12, enceinte de 30 semaines.", "1999-04-12"),
    ],
)
def test_a_deidentified_question_that_identifies_someone_is_refused(care, question, found):
    with pytest.raises(ValidationError) as error:
        ask(care, question)
    assert found in " ".join(error.value.messages)
    assert not Consultation.objects.exists()


def test_an_ordinary_question_goes_through_and_the_team_answers(care, client):
    consultation = ask(
        care,
        "Une mère sous méthadone peut-elle allaiter? Quels signes surveiller chez le nouveau-né?",
    )
    services.reply_to_consultation(
        by=care["users"]["partner"],
        consultation=consultation,
        text="Oui en général; surveillez le sevrage néonatal.",
    )
    consultation.refresh_from_db()
    assert consultation.answered_at is not None
    client.force_login(care["users"]["owner"])
    page = client.get(reverse("referrals:consultation", args=[consultation.id]))
    assert "sevrage néonatal" in page.content.decode()


def test_a_question_about_a_family_needs_a_consent_covering_the_team(care):
    consultation = ask(care, "Mélanie Côté: comment l'accompagner?", family=care["family"])
    assert consultation.family == care["family"]
    with pytest.raises(services.NoCoveringConsent):
        services.ask_consultation(
            by=care["users"]["owner"],
            from_team=care["teams"]["perinatal"],
            to_team=care["teams"]["obstetrics"],
            subject="x",
            question="y",
            family=care["family"],
        )
