"""A study on top of the shared `network` fixture: `lead` (perinatal team lead) leads it,
`nurse` codes, `worker` took part (a practitioner who is a participant), the coordinator
has no role in it, and `stranger` leads another study."""

from datetime import date

import pytest
from django.utils import translation

from maillage.evaluation import services
from maillage.evaluation.models import EvaluatorRole
from maillage.evaluation.transcripts import Turn
from tests.conftest import make_user

TURNS = [
    Turn("Animatrice", "Bonjour à toutes et à tous. Parlons de la collaboration."),
    Turn("Sylvie Gagnon", "Au CLSC, on réfère souvent sans savoir ce qui arrive ensuite."),
    Turn("Worker Test", "Chez nous, les rencontres intersectorielles aident beaucoup."),
    Turn("Sylvie Gagnon", "Oui, et connaître le rôle de chacun change tout."),
]


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def study_world(network):
    users = network["users"]
    lead, coder = users["lead"], users["nurse"]
    study = services.start_study(
        by=lead, title="Focus groups 2026", starts_on=date(2026, 1, 10), question="Why?"
    )
    services.add_evaluator(by=lead, study=study, user=coder, role=EvaluatorRole.CODER)
    outside = services.add_participant(
        by=lead,
        study=study,
        real_name="Sylvie Gagnon",
        consent_given_on=date(2026, 1, 5),
        attributes={"setting": "CLSC"},
    )
    worker = services.add_participant(
        by=lead,
        study=study,
        practitioner=users["worker"].practitioner,
        consent_given_on=date(2026, 1, 5),
        attributes={"setting": "CRD"},
    )
    session = services.record_session(
        by=lead,
        study=study,
        setting="CLSC",
        held_on=date(2026, 2, 1),
        moderator="Animatrice",
        present=[outside, worker],
    )
    stranger = make_user("stranger@example.org")
    other = services.start_study(by=stranger, title="Another study", starts_on=date(2026, 1, 1))
    document = services.import_document(
        by=lead,
        study=study,
        title="Groupe CLSC",
        kind="transcript",
        session=session,
        turns=TURNS,
        speakers={"Sylvie Gagnon": outside.pk, "Worker Test": worker.pk},
    )
    return {
        "study": study,
        "other": other,
        "lead": lead,
        "coder": coder,
        "participant_user": users["worker"],
        "coordinator": users["coordinator"],
        "stranger": stranger,
        "outside": outside,
        "worker": worker,
        "session": session,
        "document": document,
    }
