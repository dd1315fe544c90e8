"""Only a study's evaluators see it; real names only for its lead; every transcript read
logged."""

import pytest
from django.http import Http404

from maillage.audit.models import Action, AuditEvent
from maillage.evaluation import selectors

pytestmark = pytest.mark.django_db


def test_imported_transcript_names_participants_by_pseudonym_only(study_world):
    text = study_world["document"].text
    assert "Sylvie" not in text and "Gagnon" not in text and "Worker Test" not in text
    assert text.startswith("Animatrice\u00a0: Bonjour")
    speakers = [t.speaker for t in study_world["document"].turns.all()]
    assert speakers == ["Animatrice", "P01", "P02", "P01"]


@pytest.mark.parametrize("who", ["lead", "coder"])
def test_evaluators_read_the_transcript_and_each_read_is_logged(study_world, who):
    user, document = study_world[who], study_world["document"]
    before = AuditEvent.objects.filter(action=Action.VIEWED, object_id=str(document.pk)).count()
    turns, _codings = selectors.read_document(user, document)
    assert len(turns) == 4
    after = AuditEvent.objects.filter(action=Action.VIEWED, object_id=str(document.pk)).count()
    assert after == before + 1


@pytest.mark.parametrize("who", ["coordinator", "stranger", "participant_user"])
def test_nobody_else_sees_the_study_or_its_transcript(study_world, who):
    user, document = study_world[who], study_world["document"]
    with pytest.raises(Http404):
        selectors.access_document(user, document.pk)
    with pytest.raises(Http404):
        selectors.access_study(user, study_world["study"].pk)
    with pytest.raises(Http404):
        selectors.read_document(user, document)
    assert not selectors.studies_for(fetched_by=user).filter(pk=study_world["study"].pk).exists()
    assert not AuditEvent.objects.filter(action=Action.VIEWED, object_id=str(document.pk)).exists()


def test_real_names_are_read_by_the_lead_only(study_world):
    study = study_world["study"]
    for_lead = selectors.participants(study_world["lead"], study)
    assert {p.real_name for p in for_lead} == {"Sylvie Gagnon", "Worker Test"}
    for_coder = selectors.participants(study_world["coder"], study)
    assert [p.pseudonym for p in for_coder] == ["P01", "P02"]
    assert "real_name" in for_coder[0].get_deferred_fields()
