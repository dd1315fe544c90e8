"""Programmes, sites, stages, training, enrolment, sessions, register: the writes and their
refusals. Bad input names the field and writes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.audit.models import AuditEvent
from maillage.core.errors import IllegalTransition
from maillage.families.models import EntryKind, TimelineEntry
from maillage.implementation import services
from maillage.implementation.models import (
    Enrolment,
    EnrolmentStatus,
    ExitReason,
    Factor,
    FactorStatus,
    FidelityRating,
    ProgrammeSession,
    SiteStage,
    Stage,
    TrainingKind,
    TrainingRecord,
)

from .conftest import COMPONENTS, days_ago

pytestmark = pytest.mark.django_db


def test_only_a_coordinator_creates_a_programme(care):
    with pytest.raises(PermissionDenied):
        services.create_programme(
            by=care["users"]["owner"],
            name_fr="X",
            name_en="X",
            planned_dose=3,
            core_components=["A"],
        )


def test_a_site_moves_through_stages_with_days_and_activities(programme_setup):
    s = programme_setup
    services.record_stage(
        by=s["coordinator"],
        site=s["site"],
        stage=Stage.ENGAGEMENT,
        started_on=days_ago(100),
        finished_on=days_ago(60),
        activities_planned=4,
        activities_done=3,
    )
    row = SiteStage.objects.get(site=s["site"], stage=Stage.ENGAGEMENT)
    assert (row.finished_on - row.started_on).days == 40


def test_a_stage_finished_before_it_started_is_refused_naming_the_field(programme_setup):
    s = programme_setup
    with pytest.raises(ValidationError) as error:
        services.record_stage(
            by=s["coordinator"],
            site=s["site"],
            stage=Stage.FEASIBILITY,
            started_on=days_ago(10),
            finished_on=days_ago(20),
        )
    assert "finished_on" in error.value.message_dict
    assert f"({days_ago(10).isoformat()})" in error.value.message_dict["finished_on"][0]
    assert not SiteStage.objects.exists()


def test_a_lead_records_training_and_supervision_of_their_team(programme_setup):
    s = programme_setup
    owner = s["users"]["owner"].practitioner
    services.record_training(
        by=s["lead"],
        site=s["site"],
        practitioner=owner,
        kind=TrainingKind.INITIAL,
        on=days_ago(90),
        hours=14,
        topic="Formation de base",
    )
    services.record_supervision(
        by=s["lead"],
        site=s["site"],
        practitioner=owner,
        on=days_ago(30),
        minutes=60,
        reflective=True,
        cases_discussed=2,
    )
    assert TrainingRecord.objects.count() == 1
    # A practitioner of the other site may not record for this site.
    with pytest.raises(PermissionDenied):
        services.record_training(
            by=s["users"]["outsider"],
            site=s["site"],
            practitioner=owner,
            kind=TrainingKind.BOOSTER,
            on=days_ago(1),
        )


def test_enrolment_writes_on_the_family_access_log(enrolled):
    s = enrolled
    assert s["enrolment"].status == EnrolmentStatus.ENROLLED
    assert AuditEvent.objects.filter(
        object_type="families.family", object_id=str(s["family"].id), details__what="enrolment"
    ).exists()


def test_a_duplicate_enrolment_is_refused_naming_the_field(enrolled):
    s = enrolled
    with pytest.raises(ValidationError) as error:
        services.enrol_family(
            by=s["users"]["owner"], family=s["family"], site=s["site"], referred_on=days_ago(5)
        )
    assert "site" in error.value.message_dict
    assert Enrolment.objects.count() == 1


def test_a_practitioner_outside_the_circle_cannot_enrol(programme_setup):
    s = programme_setup
    with pytest.raises(PermissionDenied):
        services.enrol_family(
            by=s["users"]["outsider"],
            family=s["family"],
            site=s["other_site"],
            referred_on=days_ago(5),
        )


def test_a_session_is_a_timeline_entry_with_fidelity(enrolled):
    s = enrolled
    session = services.record_session(
        by=s["users"]["owner"],
        enrolment=s["enrolment"],
        held_on=days_ago(20),
        components=COMPONENTS[:2],
        fidelity={COMPONENTS[0]: 4, COMPONENTS[1]: 5},
        rated_by="practitioner",
    )
    entry = TimelineEntry.objects.get(id=session.entry_id)
    assert entry.kind == EntryKind.PROGRAMME_SESSION
    assert sorted(session.ratings.values_list("score", flat=True)) == [4, 5]
    assert ProgrammeSession.objects.get(id=session.id).fidelity == 4.5
    s["enrolment"].refresh_from_db()
    assert s["enrolment"].status == EnrolmentStatus.IN_SESSIONS


@pytest.mark.parametrize(
    ("held", "fidelity", "field"),
    [
        (45, {COMPONENTS[0]: 4}, "held_on"),  # before enrolment (30 days ago)
        (10, {COMPONENTS[1]: 9}, "fidelity_1"),
    ],
)
def test_bad_session_input_names_the_field_and_writes_nothing(enrolled, held, fidelity, field):
    s = enrolled
    entries = TimelineEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services.record_session(
            by=s["users"]["owner"],
            enrolment=s["enrolment"],
            held_on=days_ago(held),
            fidelity=fidelity,
            rated_by="practitioner",
        )
    assert field in error.value.message_dict
    assert TimelineEntry.objects.count() == entries
    assert not ProgrammeSession.objects.exists()
    assert not FidelityRating.objects.exists()


def test_fidelity_nine_message_names_the_component(enrolled):
    s = enrolled
    with pytest.raises(ValidationError) as error:
        services.record_session(
            by=s["users"]["owner"],
            enrolment=s["enrolment"],
            held_on=days_ago(10),
            fidelity={COMPONENTS[1]: 9},
            rated_by="supervisor",
        )
    assert COMPONENTS[1] in error.value.message_dict["fidelity_1"][0]
    assert "9" in error.value.message_dict["fidelity_1"][0]


def test_an_exit_needs_a_reason_and_ends_the_enrolment(enrolled):
    s = enrolled
    with pytest.raises(ValidationError) as error:
        services.move_enrolment(
            by=s["users"]["owner"],
            enrolment=s["enrolment"],
            to=EnrolmentStatus.EXITED,
            on=days_ago(1),
        )
    assert "exit_reason" in error.value.message_dict
    moved = services.move_enrolment(
        by=s["users"]["owner"],
        enrolment=s["enrolment"],
        to=EnrolmentStatus.EXITED,
        on=days_ago(1),
        exit_reason=ExitReason.MOVED,
    )
    assert moved.status == EnrolmentStatus.EXITED
    with pytest.raises(IllegalTransition):
        services.move_enrolment(
            by=s["users"]["owner"], enrolment=moved, to=EnrolmentStatus.COMPLETED, on=days_ago(0)
        )


def test_register_entry_closes_only_when_its_actions_are_closed(programme_setup):
    s = programme_setup
    factor = services.add_factor(
        by=s["users"]["owner"],
        polarity="barrier",
        category="organizational",
        title="Listes d'attente",
        heard_in="team_meeting",
        heard_on=days_ago(3),
        teams=[s["teams"]["perinatal"]],
    )
    assert factor.sector_codes == ["primary_care"]
    action = services.add_factor_action(
        by=s["coordinator"], factor=factor, description="Rencontre", due_date=days_ago(-30)
    )
    with pytest.raises(IllegalTransition):
        services.move_factor(by=s["coordinator"], factor=factor, to=FactorStatus.CLOSED)
    services.move_factor_action(by=s["coordinator"], action=action, to="done")
    services.move_factor(by=s["coordinator"], factor=factor, to=FactorStatus.CLOSED)
    assert Factor.objects.get().status == FactorStatus.CLOSED


def test_a_programme_session_entry_cannot_be_written_without_its_enrolment(enrolled):
    from maillage.families import services as family_services
    from maillage.families.models import Category

    s = enrolled
    with pytest.raises(ValidationError) as error:
        family_services.add_entry(
            by=s["users"]["owner"],
            family=s["family"],
            kind=EntryKind.PROGRAMME_SESSION,
            category=Category.PLAN,
            text="Séance",
        )
    assert "kind" in error.value.message_dict
    assert not TimelineEntry.objects.filter(kind=EntryKind.PROGRAMME_SESSION).exists()


@pytest.mark.parametrize(
    ("path", "refused"),
    [(["in_progress", "done"], "open"), (["dropped"], "in_progress"), (["done"], "dropped")],
)
def test_a_register_action_follows_the_reviews_improvement_action_machine(
    programme_setup, path, refused
):
    """One state machine for improvement actions: a register entry's actions (their own
    model, FactorAction) step through the reviews app's table, and an illegal step is
    refused with the same reason a review's action would get."""
    from maillage.core.transitions import check_transition
    from maillage.implementation.models import FactorAction
    from maillage.reviews.models import ACTION_TRANSITIONS, ActionStatus

    s = programme_setup
    assert FactorAction._meta.get_field("status").choices == ActionStatus.choices
    factor = services.add_factor(
        by=s["coordinator"],
        polarity="barrier",
        category="external",
        title="Transport",
        heard_in="focus_group",
        heard_on=days_ago(3),
    )
    action = services.add_factor_action(
        by=s["coordinator"], factor=factor, description="Navette", due_date=days_ago(-10)
    )
    for status in path:
        action = services.move_factor_action(by=s["coordinator"], action=action, to=status)
    assert action.is_closed == (path[-1] in ("done", "dropped"))
    assert (action.closed_at is not None) == action.is_closed
    with pytest.raises(IllegalTransition) as refused_here:
        services.move_factor_action(by=s["coordinator"], action=action, to=refused)
    with pytest.raises(IllegalTransition) as refused_in_reviews:
        check_transition(ACTION_TRANSITIONS, path[-1], refused)
    assert str(refused_here.value) == str(refused_in_reviews.value)
    assert FactorAction.objects.get().status == path[-1]
    # A practitioner may add to the register but not follow its actions.
    with pytest.raises(PermissionDenied):
        services.move_factor_action(by=s["users"]["owner"], action=action, to="done")
