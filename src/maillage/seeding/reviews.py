"""Seeding stage: a cooperation review group with a year of meetings.

The year reproduces the one reported in the literature: ten meetings, ten situations of which
eight malfunctions, six that harmed the patient and four that put the carer in difficulty.
Situations are written in French or English, as in a bilingual Quebec network, and name no
one. An eleventh meeting is scheduled ahead, with two situations waiting in the queue.

Dates are relative to the day of seeding (the past twelve months), so the demo's statistics
page shows a full year; everything else follows the generator's seed.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from maillage.core.models import Role, User
from maillage.core.tokens import join_codes
from maillage.directory.models import Organization, Sector
from maillage.reviews.models import (
    ActionStatus,
    ActionUpdate,
    Analysis,
    Attendance,
    FollowUp,
    GroupMembership,
    GroupRole,
    ImprovementAction,
    Meeting,
    MeetingSlot,
    MeetingStatus,
    MemberOrganization,
    ReviewGroup,
    RoundTableRating,
    Situation,
    SituationKind,
    SituationStatus,
    SlotKind,
)

if TYPE_CHECKING:
    from .generator import NetworkGenerator

MEETINGS_IN_THE_YEAR = 10
MEMBER_SECTORS = [
    Sector.PRIMARY_CARE,
    Sector.HOSPITAL,
    Sector.SUBSTANCE_USE,
    Sector.PRIVATE_PRACTICE,
    Sector.COMMUNITY_ORGANIZATION,
]


@dataclass
class SeedAction:
    description: str
    owner: str  # "org" or "participant"
    due_days: int
    # What becomes of it, and how many meetings later (None: nothing is said, it stays open).
    outcome: str = ActionStatus.OPEN
    after: int | None = None


@dataclass
class SeedSituation:
    kind: str
    title: str
    narrative: str
    sectors: list[str]
    malfunction: str
    types: list[str]
    patient_harm: str
    carer_harm: str
    avoidable: str
    follow_up: str
    patient_how: str = ""
    carer_how: str = ""
    actions: list[SeedAction] = field(default_factory=list)


YEAR = [
    SeedSituation(
        kind=SituationKind.MALFUNCTION,
        title="Orientation vers le centre de réadaptation sans suivi conjoint",
        narrative=(
            "Une future mère suivie en périnatalité sociale a été orientée vers le centre de "
            "réadaptation en dépendance. La demande a été envoyée par télécopieur, puis chaque "
            "équipe a considéré que l'autre assurait le suivi. Trois semaines plus tard, "
            "personne n'avait revu la mère, qui avait manqué deux rendez-vous prénataux."
        ),
        sectors=[Sector.PERINATAL, Sector.SUBSTANCE_USE],
        malfunction=(
            "L'orientation a été vécue comme un transfert : aucune des deux équipes ne savait "
            "qu'elle devait assurer un suivi conjoint."
        ),
        types=["referral_only", "communication"],
        patient_harm="yes",
        patient_how="Retard du suivi prénatal et de la prise en charge de la consommation.",
        carer_harm="yes",
        carer_how="L'infirmière s'est sentie seule responsable de la rupture de suivi.",
        avoidable="yes",
        follow_up="Le rappel à sept jours est en place ; la mère est suivie par les deux équipes.",
        actions=[
            SeedAction(
                "Convenir d'un rappel téléphonique à sept jours pour toute orientation entre "
                "le CLSC et le centre de réadaptation.",
                "org",
                30,
                ActionStatus.DONE,
                1,
            ),
            SeedAction(
                "Rédiger une fiche commune « qui fait quoi » pour le suivi conjoint.",
                "participant",
                60,
                ActionStatus.DONE,
                2,
            ),
        ],
    ),
    SeedSituation(
        kind=SituationKind.MALFUNCTION,
        title="Discharge from the maternity ward without notice to the community team",
        narrative=(
            "A mother who uses opioids was discharged from the maternity ward on a Friday "
            "evening. The community nurse learned of it on Monday from the family itself, and "
            "the discharge summary arrived ten days later. The first home visit took place "
            "after the baby had already lost weight."
        ),
        sectors=[Sector.HOSPITAL, Sector.PRIMARY_CARE],
        malfunction="Nobody owned the hand-over between the ward and the community team.",
        types=["communication", "access_delay"],
        patient_harm="yes",
        patient_how="The baby's weight loss was detected late.",
        carer_harm="yes",
        carer_how="The home visitor had to manage a crisis without any information.",
        avoidable="yes",
        follow_up="The checklist now names the community team. Weekend calls are being tested.",
        actions=[
            SeedAction(
                "Add the community team to the ward's discharge checklist for families "
                "followed jointly.",
                "org",
                45,
                ActionStatus.DONE,
                2,
            ),
            SeedAction(
                "Test a phone call from the ward to the CLSC before weekend discharges.",
                "participant",
                90,
                ActionStatus.IN_PROGRESS,
                1,
            ),
        ],
    ),
    SeedSituation(
        kind=SituationKind.MALFUNCTION,
        title="Deux plans d'intervention incompatibles",
        narrative=(
            "La protection de la jeunesse exigeait l'abstinence complète avant toute visite "
            "supervisée, alors que le plan du centre de réadaptation visait la réduction des "
            "méfaits. Le parent recevait deux messages contradictoires et a cessé de se "
            "présenter aux deux services."
        ),
        sectors=[Sector.CHILD_PROTECTION, Sector.SUBSTANCE_USE],
        malfunction="Les deux plans ont été arrêtés séparément, sans se connaître.",
        types=["incompatible_plans", "role_confusion"],
        patient_harm="yes",
        patient_how="Interruption des contacts parent-enfant pendant six semaines.",
        carer_harm="no",
        avoidable="partly",
        follow_up="Une première rencontre conjointe a eu lieu ; la présentation reste à faire.",
        actions=[
            SeedAction(
                "Tenir une rencontre conjointe avant d'arrêter les conditions d'un plan "
                "touchant les deux services.",
                "org",
                30,
                ActionStatus.DONE,
                1,
            ),
            SeedAction(
                "Présenter l'approche de réduction des méfaits à l'équipe de protection de la "
                "jeunesse.",
                "participant",
                60,
            ),
        ],
    ),
    SeedSituation(
        kind=SituationKind.WENT_WELL,
        title="A warm hand-off that worked",
        narrative=(
            "The outreach worker accompanied a pregnant woman to her first appointment at the "
            "perinatal clinic and stayed for the first ten minutes. The nurse and the outreach "
            "worker agreed on who would call her, and she has come to every appointment since."
        ),
        sectors=[Sector.COMMUNITY_OUTREACH, Sector.PERINATAL],
        malfunction="What worked: an accompanied first visit and a clear division of roles.",
        types=[],
        patient_harm="no",
        carer_harm="no",
        avoidable="unknown",
        follow_up="Accompanied first visits are now offered to three more families.",
        actions=[
            SeedAction(
                "Offer an accompanied first visit to every family referred by outreach.",
                "org",
                90,
                ActionStatus.IN_PROGRESS,
                1,
            ),
        ],
    ),
    SeedSituation(
        kind=SituationKind.MALFUNCTION,
        title="Information transmise sans le consentement du parent",
        narrative=(
            "Une éducatrice du service de garde a transmis ses observations sur l'enfant à "
            "l'intervenante de la protection de la jeunesse sans que le parent en soit "
            "informé. Le parent l'a appris lors d'une rencontre et a retiré son enfant du "
            "service de garde pendant deux semaines."
        ),
        sectors=[Sector.EARLY_CHILDHOOD, Sector.CHILD_PROTECTION],
        malfunction="La règle du consentement n'était pas connue de la même façon des deux côtés.",
        types=["confidentiality"],
        patient_harm="yes",
        patient_how="Perte de confiance et absence de l'enfant du milieu de garde.",
        carer_harm="yes",
        carer_how="L'éducatrice a été mise en cause par le parent et par sa direction.",
        avoidable="yes",
        follow_up="Le rappel de la procédure est fait ; le formulaire n'est pas encore adapté.",
        actions=[
            SeedAction(
                "Rappeler aux équipes la procédure de consentement avant tout échange "
                "d'information.",
                "org",
                21,
                ActionStatus.DONE,
                1,
            ),
            SeedAction(
                "Adapter le formulaire de consentement pour les milieux de garde.",
                "org",
                45,
            ),
        ],
    ),
    SeedSituation(
        kind=SituationKind.MALFUNCTION,
        title="Disagreement between carers in front of the family",
        narrative=(
            "During a joint visit, the paediatric resident and the parent–infant therapist "
            "disagreed openly about whether the baby needed to be hospitalised. The mother "
            "left the meeting in tears and did not come back to the clinic."
        ),
        sectors=[Sector.HOSPITAL, Sector.INFANT_MENTAL_HEALTH],
        malfunction="The disagreement was worked out in front of the family instead of before.",
        types=["carer_conflict"],
        patient_harm="yes",
        patient_how="The family dropped out of care for a month.",
        carer_harm="yes",
        carer_how="Both carers felt undermined in front of the mother.",
        avoidable="yes",
        follow_up="Joint visits now start with a short briefing between the carers.",
        actions=[
            SeedAction(
                "Agree before each joint visit on who leads and what will be said.",
                "participant",
                30,
                ActionStatus.DONE,
                1,
            ),
            SeedAction(
                "Hold a case discussion when carers disagree, before meeting the family.",
                "org",
                60,
                ActionStatus.IN_PROGRESS,
                2,
            ),
        ],
    ),
    SeedSituation(
        kind=SituationKind.MALFUNCTION,
        title="Quatre mois d'attente sans soutien intérimaire",
        narrative=(
            "Une demande de consultation en santé mentale du nourrisson est restée sur une "
            "liste d'attente pendant quatre mois. Ni l'équipe qui avait orienté la famille ni "
            "l'équipe spécialisée n'a proposé de soutien en attendant."
        ),
        sectors=[Sector.INFANT_MENTAL_HEALTH, Sector.PRIMARY_CARE],
        malfunction="Chaque équipe croyait que l'autre gardait le lien avec la famille.",
        types=["access_delay", "referral_only"],
        patient_harm="unknown",
        carer_harm="no",
        avoidable="partly",
        follow_up="Les consultations téléphoniques sont offertes aux équipes qui orientent.",
        actions=[
            SeedAction(
                "Offrir une consultation téléphonique à l'équipe qui oriente pendant l'attente.",
                "org",
                60,
                ActionStatus.DONE,
                2,
            ),
        ],
    ),
    SeedSituation(
        kind=SituationKind.MALFUNCTION,
        title="Rôles confondus entre la visite à domicile et le CLSC",
        narrative=(
            "La visiteuse à domicile et l'infirmière du CLSC pesaient chacune le bébé et "
            "donnaient des conseils d'alimentation différents. La famille ne savait plus qui "
            "appeler en cas d'inquiétude."
        ),
        sectors=[Sector.HOME_VISITING, Sector.PRIMARY_CARE],
        malfunction="Les rôles de chacune n'avaient jamais été partagés.",
        types=["role_confusion", "communication"],
        patient_harm="yes",
        patient_how="Conseils contradictoires sur l'alimentation du bébé.",
        carer_harm="no",
        avoidable="yes",
        follow_up="La répartition des rôles a été présentée à la famille.",
        actions=[
            SeedAction(
                "Préciser par écrit qui fait la pesée et qui conseille l'alimentation.",
                "participant",
                30,
                ActionStatus.DONE,
                1,
            ),
        ],
    ),
    SeedSituation(
        kind=SituationKind.WENT_WELL,
        title="A shared plan reviewed together",
        narrative=(
            "For the first time, three organizations reviewed a family's shared plan together "
            "at the community centre, with the mother present. Each carer knew who was in "
            "charge of which goal, and the mother said she finally understood who does what."
        ),
        sectors=[Sector.PERINATAL, Sector.SUBSTANCE_USE, Sector.COMMUNITY_ORGANIZATION],
        malfunction="What worked: one meeting, one plan, one person in charge of each goal.",
        types=[],
        patient_harm="no",
        carer_harm="no",
        avoidable="unknown",
        follow_up="The format will be used with two other families.",
        actions=[
            SeedAction(
                "Use the same shared-plan review with other families followed jointly.",
                "org",
                120,
            ),
        ],
    ),
    SeedSituation(
        kind=SituationKind.MALFUNCTION,
        title="Changement d'intervenante non annoncé aux partenaires",
        narrative=(
            "L'intervenante du centre de réadaptation a quitté son poste ; sa remplaçante n'a "
            "pas été présentée aux partenaires. Le travailleur de proximité a continué "
            "d'écrire à l'ancienne intervenante pendant un mois."
        ),
        sectors=[Sector.SUBSTANCE_USE, Sector.COMMUNITY_OUTREACH],
        malfunction="Aucune règle ne prévoyait d'annoncer les changements d'intervenante.",
        types=["communication"],
        patient_harm="no",
        carer_harm="unknown",
        avoidable="yes",
        follow_up="",
        actions=[
            SeedAction(
                "Prévenir les partenaires de tout changement d'intervenante attitrée.",
                "org",
                60,
            ),
        ],
    ),
]

WAITING = [
    SeedSituation(
        kind=SituationKind.MALFUNCTION,
        title="Referral sent to a site that had closed",
        narrative=(
            "A referral to the perinatal team was sent to a point of service that closed last "
            "year. Nobody noticed for five weeks, until the family called to ask why no one "
            "had contacted them."
        ),
        sectors=[Sector.HOSPITAL, Sector.PERINATAL],
        malfunction="",
        types=[],
        patient_harm="",
        carer_harm="",
        avoidable="",
        follow_up="",
    ),
    SeedSituation(
        kind=SituationKind.WENT_WELL,
        title="Une première visite faite à deux",
        narrative=(
            "L'intervenante de proximité et la travailleuse sociale ont fait ensemble la "
            "première visite à domicile. La mère, qui refusait jusque-là tout service, a "
            "accepté un deuxième rendez-vous."
        ),
        sectors=[Sector.COMMUNITY_OUTREACH, Sector.PRIMARY_CARE],
        malfunction="",
        types=[],
        patient_harm="",
        carer_harm="",
        avoidable="",
        follow_up="",
    ),
]

ROUND_TABLE_NOTES = [
    "Rencontre utile ; on manque de temps pour la deuxième situation.",
    "Good discussion, everyone spoke. The room was too small.",
    "Le climat est bon, sans blâme. À refaire.",
    "The follow-up of actions took most of the time: keep it shorter.",
]
SLOTS = {
    2: (SlotKind.TRAINING, "Capsule : la réduction des méfaits en périnatalité"),
    5: (SlotKind.CLINICAL_CASE, "Clinical case: attachment in the first months"),
    8: (SlotKind.WENT_WELL, "Une orientation bien accompagnée"),
}


def _tuesday_before(day):
    return day - timedelta(days=(day.weekday() - 1) % 7)


def _at(day, hour: int = 13, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _member_organizations(gen: "NetworkGenerator") -> list[Organization]:
    """The demo practitioner's organization and organizations of other sectors."""
    demo = next(
        (p for p in gen.practitioners if p.email.startswith("practitioner@")),
        gen.practitioners[0],
    )
    first = next(m.team.organization for m in gen.memberships if m.practitioner is demo)
    chosen = [first]
    for sector in MEMBER_SECTORS:
        if len(chosen) == 4:
            break
        candidates = [
            o
            for o in gen.organizations
            if o.sector == sector and o.sector not in {c.sector for c in chosen}
        ]
        if candidates:
            chosen.append(candidates[0])
    return chosen


def build_review_year(gen: "NetworkGenerator") -> None:
    rng = gen.rng
    today = timezone.localdate()
    organizations = _member_organizations(gen)
    group = ReviewGroup.objects.create(
        name="Revue des dysfonctionnements de coopération — Maillage",
        description=(
            "Rencontre mensuelle des partenaires : on y revoit, sans blâme et sans nommer "
            "personne, les situations où la coopération a échoué ou a bien fonctionné. / "
            "Monthly partners' meeting reviewing, without blame, how we cooperate."
        ),
    )
    joined = _at(today - timedelta(days=400))
    MemberOrganization.objects.bulk_create(
        MemberOrganization(group=group, organization=org, joined_at=joined + timedelta(minutes=i))
        for i, org in enumerate(organizations)
    )

    # Two or three carers per member organization, the demo practitioner among them.
    org_ids = {org.pk for org in organizations}
    by_org: dict = {}
    for membership in gen.memberships:
        org_id = membership.team.organization_id
        person = membership.practitioner
        if org_id in org_ids and person.user is not None:
            people = by_org.setdefault(org_id, [])
            if person not in people:
                people.append(person)
    participants, seen = [], set()
    for org in organizations:
        # A liaison nurse may work for two member organizations: she speaks for one.
        people = [p for p in by_org.get(org.pk, []) if p.pk not in seen]
        demo = [p for p in people if p.email.startswith(("practitioner@", "lead@"))]
        others = [p for p in people if p not in demo]
        for person in demo + others[: 3 - len(demo)]:
            participants.append((person.user, org))
            seen.add(person.pk)
    moderator = User.objects.create(
        email="moderator@demo.maillage.test",
        full_name="Dominique Animatrice",
        role=Role.PRACTITIONER,
        password=gen.users[0].password,
    )
    GroupMembership.objects.create(group=group, user=moderator, role=GroupRole.MODERATOR)
    GroupMembership.objects.bulk_create(
        GroupMembership(group=group, user=user, organization=org) for user, org in participants
    )
    members = [moderator] + [user for user, _org in participants]

    # Ten meetings about five weeks apart over the past year, then one scheduled ahead.
    # Hosts rotate in the order members joined, which is what the rotation proposes.
    days = [_tuesday_before(today - timedelta(days=14 + 35 * k)) for k in range(9, -1, -1)]
    days.append(_tuesday_before(today + timedelta(days=27)))
    meetings = [
        Meeting(
            group=group,
            starts_at=_at(day),
            host=organizations[i % len(organizations)],
            venue_details="Salle de conférence" if i % 2 else "Meeting room, 2nd floor",
            new_situation_slots=2,
            status=MeetingStatus.HELD if i < MEETINGS_IN_THE_YEAR else MeetingStatus.SCHEDULED,
            scheduled_by=moderator,
            held_at=_at(day, 16) if i < MEETINGS_IN_THE_YEAR else None,
            round_table_notes=ROUND_TABLE_NOTES[i % len(ROUND_TABLE_NOTES)]
            if i < MEETINGS_IN_THE_YEAR
            else "",
        )
        for i, day in enumerate(days)
    ]
    Meeting.objects.bulk_create(meetings)
    held = meetings[:MEETINGS_IN_THE_YEAR]

    situations, analyses, actions, updates = [], [], [], []
    for index, (meeting, seed) in enumerate(zip(held, YEAR, strict=True)):
        situation = Situation(
            group=group,
            kind=seed.kind,
            title=seed.title,
            narrative=seed.narrative,
            sectors=join_codes(seed.sectors),
            status=SituationStatus.PRESENTED,
            submitted_by=rng.choice(participants)[0],
            submitted_at=meeting.starts_at - timedelta(days=rng.randint(10, 25)),
            queue_position=index + 1,
            meeting=meeting,
        )
        situations.append(situation)
        analyses.append(
            Analysis(
                situation=situation,
                meeting=meeting,
                malfunction=seed.malfunction,
                malfunction_types=join_codes(seed.types),
                patient_harm=seed.patient_harm,
                patient_harm_how=seed.patient_how,
                carer_harm=seed.carer_harm,
                carer_harm_how=seed.carer_how,
                avoidable=seed.avoidable,
                recorded_by=moderator,
            )
        )
        for number, spec in enumerate(seed.actions):
            owner_org = organizations[(index + number) % len(organizations)]
            action = ImprovementAction(
                situation=situation,
                opened_at_meeting=meeting,
                description=spec.description,
                owner_organization=owner_org if spec.owner == "org" else None,
                owner_participant=rng.choice(participants)[0]
                if spec.owner == "participant"
                else None,
                due_date=timezone.localtime(meeting.starts_at).date()
                + timedelta(days=spec.due_days),
            )
            later = index + spec.after if spec.after else None
            # An outcome is only said at a meeting that was held.
            if later is not None and later < MEETINGS_IN_THE_YEAR:
                at = held[later]
                action.status = spec.outcome
                if spec.outcome in (ActionStatus.DONE, ActionStatus.DROPPED):
                    action.closed_at = at.starts_at + timedelta(hours=1)
                    action.closed_at_meeting = at
                updates.append(
                    ActionUpdate(
                        action=action,
                        meeting=at,
                        from_status=ActionStatus.OPEN,
                        to_status=spec.outcome,
                        by=moderator,
                    )
                )
            actions.append(action)
    Situation.objects.bulk_create(situations)
    Analysis.objects.bulk_create(analyses)
    ImprovementAction.objects.bulk_create(actions)
    ActionUpdate.objects.bulk_create(updates)

    # The follow-up section of each meeting, as the agenda would have listed it: the
    # situations of the previous meeting, and earlier ones whose actions were still open.
    follow_ups = []
    for k in range(1, len(meetings)):
        meeting = meetings[k]
        starts = meeting.starts_at
        for index, situation in enumerate(situations[:k]):
            still_open = any(
                a.situation is situation
                and (a.closed_at_meeting is None or a.closed_at_meeting.starts_at >= starts)
                for a in actions
            )
            if index == k - 1 or still_open:
                note = YEAR[index].follow_up if index == k - 1 else ""
                if meeting.status == MeetingStatus.HELD:
                    follow_ups.append(FollowUp(meeting=meeting, situation=situation, note=note))
    FollowUp.objects.bulk_create(follow_ups)

    attendances, ratings, slots = [], [], []
    for i, meeting in enumerate(held):
        for user in members:
            present = user is moderator or rng.random() < 0.8
            attendances.append(Attendance(meeting=meeting, user=user, present=present))
            if present and user is not moderator:
                rating = rng.choices([3, 4, 5], weights=[2, 5, 3])[0]
                ratings.append(RoundTableRating(meeting=meeting, user=user, rating=rating))
        if i in SLOTS:
            kind, title = SLOTS[i]
            slots.append(MeetingSlot(meeting=meeting, kind=kind, title=title))
    Attendance.objects.bulk_create(attendances)
    RoundTableRating.objects.bulk_create(ratings)
    MeetingSlot.objects.bulk_create(slots)

    upcoming = meetings[-1]
    Situation.objects.bulk_create(
        Situation(
            group=group,
            kind=seed.kind,
            title=seed.title,
            narrative=seed.narrative,
            sectors=join_codes(seed.sectors),
            submitted_by=rng.choice(participants)[0],
            submitted_at=upcoming.starts_at - timedelta(days=20 - 5 * number),
            queue_position=len(YEAR) + number + 1,
        )
        for number, seed in enumerate(WAITING)
    )

    gen.result.counts["review_meetings"] = len(meetings)
    gen.result.counts["review_situations"] = len(situations) + len(WAITING)
    from .generator import DemoLogin

    gen.result.logins.append(
        DemoLogin("Review moderator", moderator.email, "moderates the review group")
    )
