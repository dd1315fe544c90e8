"""One shared world for the authorization matrix: a family under consent, a referral and a
consultation about it, two review groups (a meeting, situations, an improvement action), a
cross-training programme with a session and a sign-up, a programme in practice (two sites,
the family enrolled with a session, a register entry with its action), an API token.

The world is built once per module inside a transaction that is rolled back at the end;
each test runs in a savepoint of it (pytest-django's own), so that a test's writes and its
actor's set-up (a consent withdrawn, narrowed) vanish before the next test. Building it for
each of the matrix's thousands of cells would take the better part of an hour."""

from datetime import datetime, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from maillage.core.models import Role
from maillage.core.services import create_api_token
from maillage.directory.models import MembershipRole, Organization, Sector, Team
from maillage.families import services as families
from maillage.families.models import Category, ConsentMethod, EntryKind
from maillage.implementation import services as implementation
from maillage.implementation.models import SustainabilityItem
from maillage.referrals import services as referrals
from maillage.reviews import services as reviews
from maillage.training import services as training_services
from tests.conftest import make_user
from tests.families.conftest import practitioner

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n0\n%%EOF\n"
CAREGIVER = {"first_name": "Mélanie", "last_name": "Côté", "phone": "(819) 555-0199"}


def _at(days: int, hour: int = 13) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, 0), tzinfo=timezone.get_current_timezone())


def _fresh(user):
    """The same account without the access caches a service call left on the instance."""
    return type(user).objects.get(pk=user.pk)


def build_world() -> dict:
    clsc = Organization.objects.create(
        code="clsc", name="CLSC des Saules", sector=Sector.PRIMARY_CARE
    )
    crd = Organization.objects.create(
        code="crd", name="CRD des Saules", sector=Sector.SUBSTANCE_USE
    )
    hop = Organization.objects.create(code="hop", name="Hôpital des Saules", sector=Sector.HOSPITAL)
    dpj = Organization.objects.create(
        code="dpj", name="DPJ des Saules", sector=Sector.CHILD_PROTECTION
    )
    teams = {
        "perinatal": Team.objects.create(organization=clsc, code="clsc-p", name="Périnatalité"),
        "family": Team.objects.create(organization=clsc, code="clsc-f", name="Enfance-famille"),
        "youth": Team.objects.create(organization=clsc, code="clsc-j", name="Jeunesse"),
        "mother_child": Team.objects.create(organization=crd, code="crd-me", name="Mère-enfant"),
        "psy": Team.objects.create(organization=crd, code="crd-psy", name="Santé mentale"),
        "obstetrics": Team.objects.create(organization=hop, code="hop-o", name="Obstétrique"),
        "protection": Team.objects.create(organization=dpj, code="dpj-a", name="Application"),
    }
    lead = MembershipRole.LEAD
    users = {
        # The family's side.
        "lead": practitioner("owner@clsc.example.org", teams["perinatal"]),
        "circle_member": practitioner("colleague@clsc.example.org", teams["family"]),
        "partner": practitioner("partner@crd.example.org", teams["mother_child"]),
        "partner_lead": practitioner("chief@crd.example.org", teams["mother_child"], lead),
        "receiver": practitioner("receiver@crd.example.org", teams["mother_child"]),
        "consulted": practitioner("psy@crd.example.org", teams["psy"]),
        "outsider": practitioner("outsider@hop.example.org", teams["obstetrics"]),
        # Network roles.
        "coordinator": make_user("coordinator@example.org", Role.COORDINATOR),
        "admin": make_user("admin@example.org", Role.ADMINISTRATOR),
        # Review groups.
        "moderator": make_user("moderator@example.org"),
        "participant": practitioner("participant@clsc.example.org", teams["youth"]),
        "co_participant": practitioner("coparticipant@clsc.example.org", teams["youth"]),
        "other_moderator": make_user("othermoderator@example.org"),
        "other_participant": practitioner("other@hop.example.org", teams["obstetrics"]),
        # Cross-training.
        "host_lead": practitioner("hostlead@clsc.example.org", teams["youth"], lead),
        "trainee": practitioner("trainee@dpj.example.org", teams["protection"]),
    }
    u = users

    # --- the family, its consent, circle, plan and timeline ---------------------------
    family = families.create_family(
        by=u["lead"],
        team=teams["perinatal"],
        role="Infirmière de liaison",
        caregivers=[
            families.CaregiverData(
                date_of_birth=timezone.localdate() - timedelta(days=9000), **CAREGIVER
            ),
            # The second caregiver: a FHIR RelatedPerson (of the mother, before the birth).
            families.CaregiverData(first_name="Jérôme", last_name="Côté", relationship="père"),
        ],
        children=[families.ChildData(due_date=timezone.localdate() + timedelta(days=60))],
        reasons=["substance_use", "pregnancy"],
        reasons_in_own_words="Je veux garder mon bébé avec moi.",
    )
    mother = family.caregivers.get(first_name=CAREGIVER["first_name"])
    consent = families.record_consent(
        by=_fresh(u["lead"]),
        family=family,
        given_by=mother,
        organizations=[crd],
        categories=[Category.IDENTITY, Category.PLAN],
        purpose="Suivi conjoint de grossesse",
        method=ConsentMethod.SIGNED_FORM,
        scan=SimpleUploadedFile("consentement.pdf", PDF),
    )
    partner_member = families.add_circle_member(
        by=_fresh(u["lead"]),
        family=family,
        practitioner=u["partner"].practitioner,
        team=teams["mother_child"],
        role="Intervenante en dépendance",
    )
    colleague_member = families.add_circle_member(
        by=_fresh(u["lead"]),
        family=family,
        practitioner=u["circle_member"].practitioner,
        team=teams["family"],
        role="Éducatrice",
    )
    goal = families.add_goal(
        by=_fresh(u["lead"]), family=family, need="Un logement stable", goal="Un logement"
    )
    plan_action = families.add_action(
        by=_fresh(u["lead"]),
        goal=goal,
        description="Demande HLM",
        owner=partner_member,
        due_date=timezone.localdate() + timedelta(days=14),
    )
    families.add_entry(
        by=_fresh(u["lead"]),
        family=family,
        kind=EntryKind.CONTACT_NOTE,
        category=Category.NOTES,
        text="Rencontre au CLSC avec Mélanie Côté, se sent seule.",
    )
    plan_entry = families.add_entry(
        by=_fresh(u["lead"]),
        family=family,
        kind=EntryKind.EVENT,
        category=Category.PLAN,
        text="Plan signé par Mélanie.",
    )

    # --- a referral (with an attachment) and a consultation about the family ----------
    sent_referral = referrals.refer_family(
        by=_fresh(u["lead"]),
        family=family,
        from_team=teams["perinatal"],
        to_team=teams["mother_child"],
        reason="Suivi en dépendance pendant la grossesse",
        urgency="urgent",
        attachments=[SimpleUploadedFile("bilan.pdf", PDF)],
    )
    consultation = referrals.ask_consultation(
        by=_fresh(u["lead"]),
        from_team=teams["perinatal"],
        to_team=teams["psy"],
        subject="Attachement mère-enfant",
        question="Comment soutenir le lien pendant la grossesse ?",
        family=family,
    )

    # --- review groups: ours (clsc, crd, hop) and another (hop, dpj) --------------------
    group = reviews.create_group(
        by=u["coordinator"],
        name="Revue de coopération des Saules",
        organizations=[clsc, crd, hop],
        moderator=u["moderator"],
        participants=[u["participant"], u["co_participant"]],
    )
    other_group = reviews.create_group(
        by=u["coordinator"],
        name="Revue de coopération du Nord",
        organizations=[hop, dpj],
        moderator=u["other_moderator"],
        participants=[u["other_participant"]],
    )
    meeting = reviews.schedule_meeting(by=u["moderator"], group=group, starts_at=_at(0, 23))
    narrative = "Une orientation vers le centre de réadaptation sans suivi conjoint."
    presented = reviews.submit_situation(
        by=u["participant"],
        group=group,
        kind="malfunction",
        title="Une orientation sans suivi",
        narrative=narrative,
        sectors=[Sector.PRIMARY_CARE, Sector.SUBSTANCE_USE],
    )
    queued = reviews.submit_situation(
        by=u["participant"],
        group=group,
        kind="malfunction",
        title="Un dossier transmis en retard",
        narrative="Le dossier est arrivé au centre une semaine après la première visite.",
        sectors=[Sector.PRIMARY_CARE, Sector.HOSPITAL],
    )
    reviews.record_analysis(
        by=u["moderator"],
        meeting=meeting,
        situation=presented,
        malfunction="Chaque équipe croyait que l'autre assurait le suivi.",
        malfunction_types=["referral_only"],
        patient_harm="yes",
        patient_harm_how="Suivi prénatal retardé.",
        carer_harm="no",
        avoidable="yes",
    )
    improvement = reviews.add_improvement_action(
        by=u["moderator"],
        meeting=meeting,
        situation=presented,
        description="Une fiche de liaison commune",
        due_date=timezone.localdate() + timedelta(days=60),
        owner_participant=u["participant"],
    )

    # --- cross-training: a programme, a session hosted by the youth team, a sign-up -----
    programme = training_services.create_programme(
        by=u["coordinator"],
        name="Formation croisée des Saules",
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() + timedelta(days=300),
        teams=[teams["youth"], teams["protection"]],
    )
    immersion = training_services.schedule_session(
        by=u["coordinator"],
        programme=programme,
        host_team=teams["youth"],
        starts_at=_at(10, 9),
        duration_minutes=240,
        capacity=4,
    )
    sign_up = training_services.sign_up(by=u["trainee"], session=immersion)

    # --- programmes in practice: sites at the lead's team and the partner's team ---------
    # The lead works at the first site and follows the family's enrolment there; the
    # partner's team (led by partner_lead) is the second site, with a trained practitioner.
    today = timezone.localdate()
    practice = implementation.create_programme(
        by=u["coordinator"],
        name_fr="Materner de l'intérieur",
        name_en="Mothering from the Inside Out",
        planned_dose=12,
        core_components=["Réflexion sur l'enfant", "Régulation émotionnelle"],
    )
    practice_site = implementation.add_site(
        by=u["coordinator"], programme=practice, team=teams["perinatal"]
    )
    partner_site = implementation.add_site(
        by=u["coordinator"], programme=practice, team=teams["mother_child"]
    )
    implementation.record_training(
        by=u["coordinator"],
        site=partner_site,
        practitioner=u["partner"].practitioner,
        kind="initial",
        on=today - timedelta(days=100),
        hours=14,
    )
    enrolment = implementation.enrol_family(
        by=_fresh(u["lead"]),
        family=family,
        site=practice_site,
        referred_on=today - timedelta(days=30),
        offered_on=today - timedelta(days=25),
        enrolled_on=today - timedelta(days=20),
    )
    implementation.record_session(
        by=_fresh(u["lead"]),
        enrolment=enrolment,
        held_on=today - timedelta(days=10),
        components=["Réflexion sur l'enfant"],
        fidelity={"Réflexion sur l'enfant": 4},
        rated_by="practitioner",
    )
    factor = implementation.add_factor(
        by=u["coordinator"],
        polarity="barrier",
        category="organizational",
        title="Pas de remplaçante pendant les congés",
        heard_in="team_meeting",
        heard_on=today - timedelta(days=5),
    )
    factor_action = implementation.add_factor_action(
        by=u["coordinator"],
        factor=factor,
        description="Une liste de remplaçantes formées",
        due_date=today + timedelta(days=30),
    )

    token, _secret = create_api_token(user=u["lead"], name="script")
    evaluation = build_study(u)
    return {
        **evaluation,
        "users": {key: _fresh(user) for key, user in users.items()},
        "orgs": {"clsc": clsc, "crd": crd, "hop": hop, "dpj": dpj},
        "teams": teams,
        "family": family,
        "consent": consent,
        "father": family.caregivers.get(first_name="Jérôme"),
        "plan_action": plan_action,
        "entry": plan_entry,
        "goal": goal,
        "partner_member": partner_member,
        "colleague_member": colleague_member,
        "referral": sent_referral,
        "attachment": sent_referral.attachments.get(),
        "consultation": consultation,
        "group": group,
        "other_group": other_group,
        "meeting": meeting,
        "situation": queued,
        "presented": presented,
        "improvement": improvement,
        "programme": programme,
        "session": immersion,
        "sign_up": sign_up,
        "token": token,
        "organization": clsc,
        "team": teams["perinatal"],
        "practitioner": users["lead"].practitioner,
        "practice": practice,
        "practice_site": practice_site,
        "site": partner_site,
        "enrolment": enrolment,
        "factor": factor,
        "factor_action": factor_action,
        "item": SustainabilityItem.objects.filter(is_active=True).first(),
    }


def build_study(u: dict) -> dict:
    """A focus-group study (evaluation app): `other_moderator` leads it, `other_participant`
    codes; `trainee` took part in it (a practitioner who is a participant); `outsider`
    leads another study; the coordinator has no role. Its codings are revealed."""
    from maillage.evaluation import services as evaluation
    from maillage.evaluation.models import EvaluatorRole
    from maillage.evaluation.transcripts import Turn

    lead, coder = _fresh(u["other_moderator"]), _fresh(u["other_participant"])
    study = evaluation.start_study(by=lead, title="Groupes 2026", starts_on=_at(0).date())
    evaluation.add_evaluator(by=lead, study=study, user=coder, role=EvaluatorRole.CODER)
    person = evaluation.add_participant(
        by=lead, study=study, practitioner=u["trainee"].practitioner, attributes={"setting": "DPJ"}
    )
    focus_group = evaluation.record_session(
        by=lead, study=study, setting="DPJ", held_on=_at(0).date(), present=[person]
    )
    document = evaluation.import_document(
        by=lead,
        study=study,
        title="Groupe DPJ",
        kind="transcript",
        session=focus_group,
        turns=[Turn("Trainee Test", "On se parle plus depuis les immersions.")],
        speakers={"Trainee Test": person.pk},
    )
    code = evaluation.create_code(by=lead, study=study, name="Se connaître")
    other_code = evaluation.create_code(by=lead, study=study, name="Référer")
    (coding,) = evaluation.add_codings(by=lead, document=document, codes=[code], start=6, end=20)
    evaluation.reveal_codings(by=lead, study=study)
    evaluation.start_study(by=_fresh(u["outsider"]), title="Autre étude", starts_on=_at(0).date())
    return {
        "study": study,
        "document": document,
        "eval_code": code,
        "eval_other_code": other_code,
        "eval_coding": coding,
        "eval_participant": person,
        "eval_focus_group": focus_group,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module, rolled back after it (see the module docstring)."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    media.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            media.disable()


@pytest.fixture(scope="module")
def _shared_client():
    return Client()


@pytest.fixture
def matrix_client(_shared_client):
    """One test client for the module, its cookies emptied for each test: a new client
    loads the middleware again (whitenoise indexes every static file), which cost the
    matrix more than its requests."""
    _shared_client.cookies.clear()
    yield _shared_client
    _shared_client.cookies.clear()


@pytest.fixture
def matrix_login(matrix_client):
    """tests/conftest.py's verified_login, on the module's client."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def login(user):
        matrix_client.force_login(user)
        if user.requires_second_factor:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            otp_session = matrix_client.session
            otp_session["otp_device_id"] = device.persistent_id
            otp_session.save()
        return matrix_client

    return login


# The other security tests reuse the apps' own settings: a family and its referral, a review
# group, a cross-training programme (each built only by the tests that ask for it).
from tests.families.conftest import care  # noqa: E402, F401 - shared fixtures
from tests.implementation.conftest import programme_setup  # noqa: E402, F401
from tests.referrals.conftest import referral  # noqa: E402, F401
from tests.reviews.conftest import moderator_client, review  # noqa: E402, F401
from tests.training.conftest import (  # noqa: E402, F401
    make_session,
    run_immersion,
    session,
    training,
)
