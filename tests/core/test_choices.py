"""Choice labels: the same text as Django's get_FOO_display, in the active language."""

import pytest
from django.db import models
from django.utils import translation

from maillage.core.choices import ChoiceLabels
from maillage.directory.models import Organization
from maillage.families.models import EntryKind, TimelineEntry, Visibility, VisitOutcome
from maillage.referrals.models import Referral, Status


def django_label(instance, field_name: str) -> str:
    """What Django's own get_FOO_display gives, bypassing ChoiceLabels."""
    return models.Model._get_FIELD_display(instance, instance._meta.get_field(field_name))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_labels_are_those_django_gives_in_each_language(language):
    cases = [(TimelineEntry(kind=kind, visibility=Visibility.TEAM), "kind") for kind in EntryKind]
    cases += [(TimelineEntry(visit_outcome=o), "visit_outcome") for o in VisitOutcome]
    cases += [(Referral(status=s), "status") for s in Status]
    cases += [(Organization(sector=Organization._meta.get_field("sector").choices[0][0]), "sector")]
    with translation.override(language):
        for instance, field in cases:
            shown = getattr(instance, f"get_{field}_display")()
            assert shown == django_label(instance, field)
            assert isinstance(shown, str)
    with translation.override("fr"):
        assert TimelineEntry(kind=EntryKind.HOME_VISIT).get_kind_display() == "Visite à domicile"
    with translation.override("en"):
        assert TimelineEntry(kind=EntryKind.HOME_VISIT).get_kind_display() == "Home visit"


def test_unknown_and_empty_values_show_as_stored():
    assert TimelineEntry(kind="retired_kind").get_kind_display() == "retired_kind"
    assert TimelineEntry(visit_outcome="").get_visit_outcome_display() == ""


def test_the_models_shown_in_lists_use_it():
    for model in (TimelineEntry, Referral, Organization):
        assert issubclass(model, ChoiceLabels)
