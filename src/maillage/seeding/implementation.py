"""Seeding stage: a relationship-based parenting programme in practice.

The teams that lead the most followed families become the programme's sites, each further
along the eight implementation stages than the next; their members are trained (some
certified, a few gone since), supervised monthly; families they lead are referred, offered,
enrolled and seen for sessions with a dose and a fidelity drawn from sensible distributions
(most families get most of the twelve sessions, some drop out early; practitioners differ in
fidelity); two years of sustainability self-assessments; and a register of barriers and
facilitators spread over the four categories.

Everything is bulk-written and drawn from the generator's one random source, in a fixed
order: the same seed gives the same programme.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import zip_longest
from typing import TYPE_CHECKING

from django.utils import timezone

from maillage.core.tokens import join_codes
from maillage.families.models import Category, EntryKind, TimelineEntry, Visibility
from maillage.implementation import tallies
from maillage.implementation.figures import session_fidelity
from maillage.implementation.models import (
    STAGE_ORDER,
    Departure,
    Enrolment,
    EnrolmentStatus,
    ExitReason,
    Factor,
    FactorAction,
    FactorCategory,
    FactorStatus,
    FidelityRating,
    HeardIn,
    Polarity,
    Programme,
    ProgrammeSession,
    RatedBy,
    Site,
    SiteStage,
    Supervision,
    SustainabilityAnswer,
    SustainabilityAssessment,
    SustainabilityItem,
    TrainingKind,
    TrainingRecord,
)
from maillage.reviews.models import ActionStatus

if TYPE_CHECKING:
    from .generator import NetworkGenerator

BATCH = 2000
ENROLLED = {"demo": 200, "region": 3000}
SITES = {"demo": 4, "region": 6}
COMPONENTS = [
    "Capacité réflexive de la mère",
    "Régulation des émotions",
    "Alliance thérapeutique",
    "Représentations de l'enfant",
    "Consommation et parentalité",
]
EXIT_WEIGHTS = {
    ExitReason.LOST_CONTACT: 5,
    ExitReason.DECLINED: 2,
    ExitReason.MOVED: 2,
    ExitReason.NEEDS_CHANGED: 2,
    ExitReason.PLACEMENT: 1,
    ExitReason.OTHER: 1,
}
FACTORS = {
    FactorCategory.ORGANIZATIONAL: [
        ("barrier", "Roulement du personnel dans l'équipe"),
        ("barrier", "Pas de temps prévu pour la supervision"),
        ("facilitator", "Gestionnaire qui protège le temps des séances"),
        ("facilitator", "Rencontres intersectorielles mensuelles"),
        ("barrier", "Listes d'attente en pédopsychiatrie"),
    ],
    FactorCategory.WORK_WORKER: [
        ("barrier", "Charge de cas trop lourde pour les visites hebdomadaires"),
        ("facilitator", "Co-intervention avec l'intervenante en dépendance"),
        ("facilitator", "Connaissance du rôle des partenaires"),
        ("barrier", "Sentiment d'incompétence face à la consommation"),
        ("facilitator", "Formation continue avec un cas supervisé"),
    ],
    FactorCategory.FAMILY: [
        ("barrier", "Méfiance envers la protection de la jeunesse"),
        ("facilitator", "Visites à domicile qui lèvent les obstacles de transport"),
        ("barrier", "Crises de logement qui interrompent le suivi"),
        ("facilitator", "Lien de confiance avec l'intervenante de proximité"),
        ("barrier", "Rechute pendant le suivi"),
    ],
    FactorCategory.EXTERNAL: [
        ("barrier", "Financement annuel non reconduit à temps"),
        ("facilitator", "Appui de la santé publique régionale"),
        ("barrier", "Transport en commun absent en milieu rural"),
        ("facilitator", "Table de concertation petite enfance active"),
        ("barrier", "Changements de règles d'accès aux services"),
    ],
}


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def build_programme_in_practice(gen: "NetworkGenerator") -> None:
    if not gen.followed:
        return
    ImplementationStage(gen).run()


class ImplementationStage:
    def __init__(self, gen: "NetworkGenerator"):
        self.gen = gen
        # Its own random source from the seed: what earlier stages draw (some after reading
        # rows in the database's order) does not move this one.
        self.rng = random.Random(f"implementation-{gen.seed}")
        self.today = timezone.localdate()
        self.counts: dict[str, int] = {}

    def run(self) -> None:
        gen, _rng = self.gen, self.rng
        programme = Programme.objects.create(
            name_fr="Materner de l'intérieur",
            name_en="Mothering from the Inside Out",
            description=(
                "Intervention parentale relationnelle offerte dans le cadre des visites à "
                "domicile, pour des mères qui consomment des substances et leur tout-petit."
            ),
            planned_dose=12,
            core_components=COMPONENTS,
            eligibility="Mères qui consomment, enceintes ou avec un enfant de 0 à 5 ans.",
        )
        by_team: dict = {}
        for row in gen.followed:
            by_team.setdefault(row[2], []).append(row)
        ranked = sorted(by_team.items(), key=lambda kv: -len(kv[1]))
        # Enough sites for the families the scale asks for (about 6 in 10 referred families
        # end up enrolled), and at least a handful.
        wanted = ENROLLED.get(gen.scale.name, 200) / 0.6
        chosen, candidates = [], 0
        for team_id, rows in ranked:
            if len(chosen) >= SITES.get(gen.scale.name, 4) and candidates >= wanted:
                break
            chosen.append((team_id, rows))
            candidates += len(rows)
        teams = {t.id: t for t in gen.teams}
        sites = [Site(programme=programme, team=teams[team_id]) for team_id, _rows in chosen]
        Site.objects.bulk_create(sites)
        self.counts["programme sites"] = len(sites)
        trained = self._stages_and_training(sites)
        self._families(programme, sites, [rows for _t, rows in chosen], trained)
        self._sustainability(sites)
        # The dashboard's running counts, as recording each session and answer keeps them.
        tallies.rebuild(programme)
        self._register(programme)
        gen.result.counts.update(self.counts)

    # --- stages, training, supervision -------------------------------------------------------

    def _stages_and_training(self, sites: list[Site]) -> dict:
        rng, today = self.rng, self.today
        stages, trainings, supervisions, departures = [], [], [], []
        members: dict = {}
        for m in self.gen.memberships:
            members.setdefault(m.team_id, []).append(m.practitioner)
        trained: dict = {}
        for index, site in enumerate(sites):
            # The first site is the furthest along: it reached competency; each next one
            # started later and is a stage or two behind.
            reached = max(3, len(STAGE_ORDER) - 1 - index)
            training_day = today - timedelta(days=400)
            day = today - timedelta(days=900 - 120 * index)
            for k, stage in enumerate(STAGE_ORDER[: reached + 1]):
                length = rng.randint(30, 120) if k < 5 else rng.randint(120, 300)
                finished = day + timedelta(days=length)
                under_way = k == reached or finished >= today
                planned = rng.randint(3, 8)
                stages.append(
                    SiteStage(
                        site=site,
                        stage=stage,
                        started_on=day,
                        finished_on=None if under_way else finished,
                        activities_planned=planned,
                        activities_done=rng.randint(planned // 2, planned)
                        if under_way
                        else planned,
                    )
                )
                if stage == "staff_trained":
                    training_day = day
                if under_way:
                    break
                day = finished
            people = members.get(site.team_id, [])
            site_trained = []
            for person in people:
                if rng.random() > 0.75:
                    continue
                on = min(training_day + timedelta(days=rng.randint(0, 60)), today)
                trainings.append(
                    TrainingRecord(
                        site=site,
                        practitioner=person,
                        kind=TrainingKind.INITIAL,
                        on=on,
                        hours=Decimal("14.0"),
                        topic="Formation de base",
                    )
                )
                case_day = min(on + timedelta(days=rng.randint(30, 120)), today)
                trainings.append(
                    TrainingRecord(
                        site=site,
                        practitioner=person,
                        kind=TrainingKind.SUPERVISED_CASE,
                        on=case_day,
                        hours=Decimal("6.0"),
                        topic="Cas supervisé",
                    )
                )
                if rng.random() < 0.5 and case_day + timedelta(days=90) < today:
                    trainings.append(
                        TrainingRecord(
                            site=site,
                            practitioner=person,
                            kind=TrainingKind.CERTIFICATION,
                            on=case_day + timedelta(days=90),
                            hours=Decimal("0.0"),
                            topic="Certification",
                        )
                    )
                if rng.random() < 0.4:
                    trainings.append(
                        TrainingRecord(
                            site=site,
                            practitioner=person,
                            kind=TrainingKind.BOOSTER,
                            on=min(on + timedelta(days=365), today),
                            hours=Decimal("3.0"),
                            topic="Rappel",
                        )
                    )
                site_trained.append(person)
                for month in range(12):
                    if rng.random() < 0.8:
                        supervisions.append(
                            Supervision(
                                site=site,
                                practitioner=person,
                                on=today - timedelta(days=30 * month + 3),
                                minutes=rng.choice([45, 60, 60, 90]),
                                reflective=rng.random() < 0.7,
                                cases_discussed=rng.randint(1, 4),
                            )
                        )
            if len(site_trained) > 2:
                gone = site_trained[-1]
                departures.append(
                    Departure(
                        site=site,
                        practitioner=gone,
                        left_on=today - timedelta(days=rng.randint(20, 200)),
                    )
                )
            trained[site.id] = site_trained[:-1] if len(site_trained) > 2 else site_trained
        SiteStage.objects.bulk_create(stages)
        TrainingRecord.objects.bulk_create(trainings, batch_size=BATCH)
        Supervision.objects.bulk_create(supervisions, batch_size=BATCH)
        Departure.objects.bulk_create(departures)
        self.counts["programme trainings"] = len(trainings)
        self.counts["supervisions"] = len(supervisions)
        return trained

    # --- families -------------------------------------------------------------------------------

    def _families(self, programme, sites, rows_by_site, trained) -> None:
        rng, today = self.rng, self.today
        target = ENROLLED.get(self.gen.scale.name, 200)
        practitioner_of = {p.user_id: p for p in self.gen.practitioners if p.user_id}
        enrolments, entries, sessions, ratings = [], [], [], []
        enrolled = 0
        base: dict = {}
        # Round-robin over the sites, so that each gets its share of families.
        turns = [
            (site, row)
            for group in zip_longest(
                *([(s, r) for r in rows] for s, rows in zip(sites, rows_by_site, strict=True))
            )
            for site_row in group
            if site_row is not None
            for site, row in [site_row]
        ]
        for site, (family_id, lead_user_id, _team, _org, *_shared, created) in turns:
            if enrolled >= target:
                break
            if True:
                person = practitioner_of.get(lead_user_id)
                if person is None:
                    continue
                fidelity_base = base.setdefault(person.id, rng.gauss(3.8, 0.45))
                referred = today - timedelta(days=rng.randint(20, 600))
                if isinstance(created, datetime):
                    referred = min(max(referred, timezone.localdate(created)), today)
                eligible = rng.random() < 0.9
                enrolment = Enrolment(
                    programme=programme,
                    site=site,
                    family_id=family_id,
                    eligible=eligible,
                    referred_on=referred,
                    recorded_by_id=lead_user_id,
                    status=EnrolmentStatus.REFERRED,
                )
                enrolments.append(enrolment)
                if not eligible or rng.random() > 0.85:
                    if rng.random() < 0.5:
                        enrolment.status = EnrolmentStatus.EXITED
                        enrolment.ended_on = min(referred + timedelta(days=10), today)
                        enrolment.exit_reason = (
                            ExitReason.NOT_ELIGIBLE if not eligible else ExitReason.DECLINED
                        )
                    continue
                enrolment.offered_on = min(referred + timedelta(days=rng.randint(2, 20)), today)
                enrolment.status = EnrolmentStatus.OFFERED
                if rng.random() > 0.8:
                    enrolment.status = EnrolmentStatus.EXITED
                    enrolment.ended_on = enrolment.offered_on
                    enrolment.exit_reason = ExitReason.DECLINED
                    continue
                enrolment.enrolled_on = min(
                    enrolment.offered_on + timedelta(days=rng.randint(1, 14)), today
                )
                enrolment.status = EnrolmentStatus.ENROLLED
                enrolled += 1
                # Most families receive most of the dose; a fifth drop out early.
                dropout = rng.random() < 0.2
                planned = rng.randint(1, 5) if dropout else rng.randint(8, 14)
                day = enrolment.enrolled_on + timedelta(days=rng.randint(3, 21))
                came = 0
                for _n in range(planned):
                    if day > today:
                        break
                    attended = rng.random() > 0.15
                    entry = TimelineEntry(
                        family_id=family_id,
                        kind=EntryKind.PROGRAMME_SESSION,
                        occurred_at=_at(day),
                        author_id=lead_user_id,
                        author_team_id=site.team_id,
                        category=Category.PLAN,
                        visibility=Visibility.CIRCLE,
                        text=(
                            "Séance du programme Materner de l'intérieur."
                            if attended
                            else "Séance manquée, à reprendre."
                        ),
                    )
                    entries.append(entry)
                    session = ProgrammeSession(
                        enrolment=enrolment,
                        entry=entry,
                        site=site,
                        practitioner=person,
                        held_on=day,
                        attended=attended,
                        components=rng.sample(COMPONENTS, rng.randint(2, 4)) if attended else [],
                    )
                    sessions.append(session)
                    if attended:
                        came += 1
                        if rng.random() < 0.8:
                            session.rated_by = (
                                RatedBy.SUPERVISOR if rng.random() < 0.3 else RatedBy.PRACTITIONER
                            )
                            scores = [
                                _clamp(rng.gauss(fidelity_base, 0.7), 1, 5)
                                for _c in session.components
                            ]
                            ratings.extend(
                                FidelityRating(session=session, component=c, score=score)
                                for c, score in zip(session.components, scores, strict=True)
                            )
                            session.fidelity = session_fidelity(scores)
                    day += timedelta(days=rng.randint(6, 12))
                if came:
                    enrolment.status = EnrolmentStatus.IN_SESSIONS
                if came >= programme.planned_dose:
                    enrolment.status = EnrolmentStatus.COMPLETED
                    enrolment.ended_on = min(day, today)
                elif dropout and day <= today:
                    enrolment.status = EnrolmentStatus.EXITED
                    enrolment.ended_on = min(day, today)
                    enrolment.exit_reason = rng.choices(
                        list(EXIT_WEIGHTS), weights=list(EXIT_WEIGHTS.values())
                    )[0]
        Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
        TimelineEntry.objects.bulk_create(entries, batch_size=BATCH)
        ProgrammeSession.objects.bulk_create(sessions, batch_size=BATCH)
        FidelityRating.objects.bulk_create(ratings, batch_size=BATCH)
        self.counts["programme enrolments"] = len(enrolments)
        self.counts["programme sessions"] = len(sessions)

    # --- sustainability ---------------------------------------------------------------------------

    def _sustainability(self, sites: list[Site]) -> None:
        rng = self.rng
        items = list(SustainabilityItem.objects.filter(is_active=True).order_by("position"))
        users_by_team: dict = {}
        for m in self.gen.memberships:
            if m.practitioner.user_id:
                users_by_team.setdefault(m.team_id, []).append(m.practitioner.user_id)
        assessments, answers = [], []
        year = self.today.year
        for site in sites:
            level = rng.uniform(3.5, 5.5)
            people = users_by_team.get(site.team_id, [])[:5]
            for offset, when in ((-0.4, year - 1), (0.0, year)):
                for user_id in people[: rng.randint(max(2, len(people) - 2), len(people))]:
                    assessment = SustainabilityAssessment(
                        site=site, year=when, respondent_id=user_id
                    )
                    assessments.append(assessment)
                    answers.extend(
                        SustainabilityAnswer(
                            assessment=assessment,
                            item=item,
                            score=_clamp(level + offset + rng.gauss(0, 1.1), 1, 7),
                        )
                        for item in items
                    )
        SustainabilityAssessment.objects.bulk_create(assessments)
        SustainabilityAnswer.objects.bulk_create(answers, batch_size=BATCH)
        self.counts["sustainability assessments"] = len(assessments)

    # --- register ---------------------------------------------------------------------------------

    def _register(self, programme: Programme) -> None:
        rng, today = self.rng, self.today
        teams = self.gen.teams
        factors, actions, links = [], [], []
        places = list(HeardIn.values)
        for k in range(40):
            category = list(FACTORS)[k % 4]
            polarity, title = FACTORS[category][(k // 4) % len(FACTORS[category])]
            concerned = rng.sample(teams, rng.randint(1, 3))
            factor = Factor(
                polarity=polarity,
                category=category,
                title=title,
                description="Entendu lors d'une rencontre du réseau.",
                heard_in=rng.choice(places),
                heard_on=today - timedelta(days=rng.randint(1, 700)),
                sectors=join_codes(t.organization.sector for t in concerned),
                programme=programme if rng.random() < 0.5 else None,
                status=rng.choices(FactorStatus.values, weights=[4, 3, 3])[0],
            )
            factors.append(factor)
            links.extend((factor, t) for t in concerned)
            if polarity == Polarity.BARRIER and factor.status != FactorStatus.OPEN:
                closed = factor.status == FactorStatus.CLOSED
                actions.append(
                    FactorAction(
                        factor=factor,
                        description="Présenter la situation à la table intersectorielle.",
                        due_date=factor.heard_on + timedelta(days=60),
                        status=ActionStatus.DONE if closed else ActionStatus.IN_PROGRESS,
                        closed_at=_at(factor.heard_on + timedelta(days=50)) if closed else None,
                    )
                )
        Factor.objects.bulk_create(factors)
        through = Factor.teams.through
        through.objects.bulk_create(through(factor=f, team=t) for f, t in links)
        FactorAction.objects.bulk_create(actions)
        self.counts["register entries"] = len(factors)
