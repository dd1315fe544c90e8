"""The demo's focus-group study: the matrix equals a count made here from the rows, one
theme converges and one diverges, and the two coders disagree the way real coders do."""

from collections import defaultdict

import pytest
from django.db import transaction

from maillage.evaluation import figures, selectors
from maillage.evaluation.models import Coding, Document, Participant, Study
from maillage.seeding.generator import SCALES, NetworkGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo network, generated once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            NetworkGenerator(SCALES["demo"], seed=1).run()
            study = Study.objects.get()
            yield study, study.evaluators.get(role="lead").user
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_the_demo_study_has_three_settings_four_groups_and_long_french_transcripts(seeded):
    study, _lead = seeded
    assert set(study.sessions.values_list("setting", flat=True)) == {
        "Dépendance",
        "Périnatalité",
        "Protection de la jeunesse",
    }
    assert study.sessions.count() == 4
    for session in study.sessions.all():
        assert 5 <= session.present.count() <= 8
    for document in Document.objects.filter(study=study):
        assert 5_800 <= len(document.text.split()) <= 6_400
    assert study.codes.filter(inductive=True).count() == 2
    assert study.evaluators.count() == 2


def test_the_matrix_equals_an_independent_count_of_the_rows(seeded):
    study, lead = seeded
    rows = selectors.study_rows(lead, study)
    matrix = figures.compute_matrix(rows, attribute="setting", threshold=0.25, coder=str(lead.pk))

    # Counted here, straight from the tables: a coding is said by the participants whose
    # turn it overlaps; a cell counts the codings said by someone of the setting.
    setting_of = {
        p.pseudonym: p.attribute_values.get().value for p in Participant.objects.filter(study=study)
    }
    size = defaultdict(int)
    for setting in setting_of.values():
        size[setting] += 1
    turns = defaultdict(list)
    for document in Document.objects.filter(study=study):
        for turn in document.turns.all():
            turns[document.pk].append(turn)
    passages, people = defaultdict(int), defaultdict(set)
    for coding in Coding.objects.filter(document__study=study, coder=lead):
        said_by = {
            t.participant.pseudonym
            for t in turns[coding.document_id]
            if t.participant_id and t.start < coding.end and coding.start < t.end
        }
        for setting in {setting_of[p] for p in said_by}:
            passages[(str(coding.code_id), setting)] += 1
            people[(str(coding.code_id), setting)] |= {
                p for p in said_by if setting_of[p] == setting
            }

    for theme in matrix.rows:
        for setting, cell in theme.cells.items():
            assert cell.passages == passages[(theme.code, setting)]
            assert cell.participants == people[(theme.code, setting)]
            assert cell.share == len(people[(theme.code, setting)]) / size[setting]

    names = rows.code_names
    convergent = {names[t.code] for t in matrix.rows if t.convergent}
    divergent = {names[t.code] for t in matrix.rows if t.divergent}
    assert "Nature du travail et de l’intervenant — facilitateur" in convergent or any(
        "facilitateur" in name for name in convergent
    )
    assert "Stigmatisation de la consommation" in divergent


def test_the_two_coders_agree_realistically(seeded):
    study, lead = seeded
    rows = selectors.study_rows(lead, study)
    report = figures.compute_agreement(rows, unit="segment", resamples=50)
    kappa = report.overall.kappa.value
    assert 0.5 < kappa < 0.95
