"""Seeding stage: a cross-training programme by immersion, in three phases.

It follows the programme the literature reports: teams of substance-use, child-protection,
perinatal and early-childhood services (up to fourteen) spending immersion sessions in each
other's settings over several years. Two phases are over, the third is under way: its past
sessions are held, with attendance and before/after self-assessments; its coming ones are
open for sign-ups. Topics, statements and phase names are in French and English; agendas in
one or the other, as a bilingual network writes them.

Dates are relative to the day of seeding; everything else follows the generator's seed.
"""

import hashlib
import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from maillage.core.models import Role
from maillage.core.tokens import join_codes
from maillage.directory.models import Sector, ServiceType, Team
from maillage.training.defaults import DEFAULT_ITEMS, DEFAULT_TOPICS
from maillage.training.indicators import add_months
from maillage.training.models import (
    Answer,
    HostActivity,
    ImmersionSession,
    Moment,
    Phase,
    Programme,
    ProgrammeTeam,
    QuestionnaireItem,
    SelfAssessment,
    SessionStatus,
    SignUp,
    SignUpStatus,
    Topic,
)

if TYPE_CHECKING:
    from .generator import NetworkGenerator

SECTORS = [
    Sector.SUBSTANCE_USE,
    Sector.CHILD_PROTECTION,
    Sector.PERINATAL,
    Sector.EARLY_CHILDHOOD,
    Sector.HOME_VISITING,
    Sector.INFANT_MENTAL_HEALTH,
]
MAX_TEAMS = 14
# (French, English, first month from today, last month from today, sessions)
PHASES = [
    ("Phase 1 — Se connaître", "Phase 1 — Getting to know each other", -30, -19, 6),
    ("Phase 2 — Travailler ensemble", "Phase 2 — Working together", -18, -7, 8),
    ("Phase 3 — Parler le même langage", "Phase 3 — Speaking the same language", -6, 5, 8),
]
EXTRA_TOPIC = ("Le rôle du père et de l'entourage", "The role of fathers and of the family circle")
# How much each default statement moves after an immersion, on average (points on 1-5):
# knowing whom to call moves most, explaining the effects of substances least.
ITEM_EFFECTS = [1.1, 1.4, 0.7, 0.9]
# Sessions start at 9:00; each agenda fits its session's hours (3, 4 or 7 hours), in French
# or English, and shadows a home visit only at a team that makes home visits.
AGENDA_LINES = {
    "fr": {
        "welcome": "9 h : accueil et présentation du mandat de l'équipe",
        "meeting": "10 h : rencontre d'équipe (discussion de cas)",
        "group": "10 h : observation d'une activité de groupe parents-enfants",
        "home": "13 h : visite à domicile accompagnée",
        "intake": "13 h : observation de l'accueil et de l'évaluation",
        "noon": "11 h 30 : retour sur la matinée",
        "debrief_13": "12 h 15 : retour sur la matinée, à qui faire appel",
        "debrief_16": "15 h : retour sur la journée, à qui faire appel",
    },
    "en": {
        "welcome": "9:00 welcome and the team's mandate",
        "meeting": "10:00 team meeting observed (case discussion)",
        "group": "10:00 parent–child group activity observed",
        "home": "13:00 home visit shadowed",
        "intake": "13:00 intake and assessment observed",
        "noon": "11:30 debrief of the morning",
        "debrief_13": "12:15 debrief of the morning, whom to call",
        "debrief_16": "15:00 debrief of the day, whom to call",
    },
}
# (language, morning activity) for each of the three agendas a session may have.
AGENDA_KINDS = [("fr", "meeting"), ("en", "meeting"), ("fr", "group")]


def agenda(index: int, minutes: int, *, home_visits: bool) -> str:
    language, morning = AGENDA_KINDS[index]
    lines = AGENDA_LINES[language]
    if minutes <= 180:
        keys = ["welcome", morning, "noon"]
    elif minutes <= 240:
        keys = ["welcome", morning, "debrief_13"]
    else:
        keys = ["welcome", morning, "home" if home_visits else "intake", "debrief_16"]
    return "\n".join(lines[key] for key in keys)


HOST_ACTIVITIES = [
    [HostActivity.TEAM_MEETING, HostActivity.HOME_VISIT],
    [HostActivity.INTAKE, HostActivity.TEAM_MEETING],
    [HostActivity.GROUP_ACTIVITY, HostActivity.CASE_CONFERENCE],
    [HostActivity.HOME_VISIT, HostActivity.OUTREACH],
]


HOME_SERVICES = {ServiceType.HOME_VISITS, ServiceType.CHILD_PROTECTION}


def _activities(chosen: list[str], *, home_visits: bool) -> list[str]:
    """What the host shows; a team that makes no home visit shows its intake instead."""
    if home_visits:
        return chosen
    return list(
        dict.fromkeys(HostActivity.INTAKE if a == HostActivity.HOME_VISIT else a for a in chosen)
    )


def own_stream(rng: random.Random) -> random.Random:
    """A stream of the stage's own, derived from the generator's state without drawing from
    it, so that the stages after this one get the same draws as if it did not exist. The
    state is digested, not hashed: Python's hash of None changes from one run to the next."""
    return random.Random(hashlib.sha256(repr(rng.getstate()[1]).encode()).digest())


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=timezone.get_current_timezone())


def _pick_teams(gen: "NetworkGenerator") -> list[Team]:
    """Teams of the programme's sectors, from the territory where most of them work, taken
    in turn from each sector; the demo practitioner's and team lead's teams among them."""
    by_sector: dict[str, list[Team]] = {s: [] for s in SECTORS}
    for team in gen.teams:
        if team.organization.sector in by_sector:
            by_sector[team.organization.sector].append(team)
    territory = Counter(t.territory for teams in by_sector.values() for t in teams).most_common(1)
    home = territory[0][0] if territory else ""
    for teams in by_sector.values():
        teams.sort(key=lambda t: (t.territory != home, t.code))
    demo = [
        m.team
        for m in gen.memberships
        if m.practitioner.email.startswith(("practitioner@", "lead@"))
    ]
    chosen: list[Team] = list(dict.fromkeys(demo))
    while len(chosen) < MAX_TEAMS and any(by_sector.values()):
        for sector in SECTORS:
            if by_sector[sector] and len(chosen) < MAX_TEAMS:
                team = by_sector[sector].pop(0)
                if team not in chosen:
                    chosen.append(team)
    return chosen


def build_training_programme(gen: "NetworkGenerator") -> None:
    rng = own_stream(gen.rng)
    today = timezone.localdate()
    now = timezone.now()
    teams = _pick_teams(gen)
    if len(teams) < 2:
        return
    coordinator = next((u for u in gen.users if u.role == Role.COORDINATOR), None)
    this_month = today.replace(day=1)
    first_day = add_months(this_month, PHASES[0][2])
    last_day = add_months(this_month, PHASES[-1][3] + 1) - timedelta(days=1)
    programme = Programme.objects.create(
        name="Formation croisée par immersion — Maillage",
        description=(
            "Des équipes en dépendance, en protection de la jeunesse, en périnatalité et en "
            "petite enfance passent du temps dans le milieu des autres, pour mieux se "
            "connaître et parler le même langage. / Teams spend time in each other's "
            "settings to know each other and speak the same language."
        ),
        starts_on=first_day,
        ends_on=last_day,
        coordinator=coordinator,
    )
    ProgrammeTeam.objects.bulk_create(ProgrammeTeam(programme=programme, team=t) for t in teams)
    topics = Topic.objects.bulk_create(
        Topic(programme=programme, position=i, name_fr=fr, name_en=en)
        for i, (fr, en) in enumerate([*DEFAULT_TOPICS, EXTRA_TOPIC], start=1)
    )
    items = QuestionnaireItem.objects.bulk_create(
        QuestionnaireItem(programme=programme, position=i, text_fr=fr, text_en=en)
        for i, (fr, en) in enumerate(DEFAULT_ITEMS, start=1)
    )
    phases = Phase.objects.bulk_create(
        Phase(
            programme=programme,
            number=number,
            name_fr=fr,
            name_en=en,
            starts_on=add_months(this_month, first),
            ends_on=add_months(this_month, last + 1) - timedelta(days=1),
        )
        for number, (fr, en, first, last, _count) in enumerate(PHASES, start=1)
    )

    members: dict = {}
    for m in gen.memberships:
        if m.team in teams and m.practitioner.user is not None:
            members.setdefault(m.team.pk, []).append(m)
    demo_practitioner = next(
        (
            m.practitioner
            for m in gen.memberships
            if m.practitioner.email.startswith("practitioner@")
        ),
        None,
    )

    # Teams whose services take them into homes: the only ones that show a home visit.
    home_teams = {
        offer.team_id
        for offer in gen.offers
        if offer.service_type in HOME_SERVICES or "domicile" in offer.name
    }
    sessions, session_topics, sign_ups, assessments, answers = [], [], [], [], []
    hosts = list(teams)
    rng.shuffle(hosts)
    host_index = 0
    for phase, (_fr, _en, _first, _last, count) in zip(phases, PHASES, strict=True):
        span = (phase.ends_on - phase.starts_on).days
        for k in range(count):
            host = hosts[host_index % len(hosts)]
            host_index += 1
            day = phase.starts_on + timedelta(days=int(span * (k + 0.5) / count))
            while day.weekday() >= 5:  # immersions happen on working days
                day += timedelta(days=1)
            held = day < today
            session = ImmersionSession(
                programme=programme,
                phase=phase,
                host_team=host,
                starts_at=_at(day),
                duration_minutes=(minutes := rng.choice([180, 240, 420])),
                capacity=4,
                agenda=agenda(
                    rng.choice(range(len(AGENDA_KINDS))),
                    minutes,
                    home_visits=host.pk in home_teams,
                ),
                host_activities=join_codes(
                    _activities(rng.choice(HOST_ACTIVITIES), home_visits=host.pk in home_teams)
                ),
                location=", ".join(p for p in (host.site, host.organization.address) if p),
                status=SessionStatus.HELD if held else SessionStatus.SCHEDULED,
                created_by=coordinator,
            )
            sessions.append(session)
            for topic in rng.sample(topics, rng.randint(1, 3)):
                session_topics.append(
                    ImmersionSession.topics.through(immersionsession=session, topic=topic)
                )
            # Visitors from other teams; a coming session keeps a place for the demo.
            others = [t for t in teams if t.pk != host.pk and members.get(t.pk)]
            wanted = rng.randint(3, 4) if held else rng.randint(1, 2)
            visitors, seen = [], set()
            for team in rng.sample(others, len(others)):
                membership = rng.choice(members[team.pk])
                person = membership.practitioner
                if person.pk in seen or (not held and person is demo_practitioner):
                    continue
                seen.add(person.pk)
                visitors.append((person, team))
                if len(visitors) == wanted:
                    break
            for person, team in visitors:
                attended = held and rng.random() < 0.9
                confirmed = held or rng.random() < 0.5
                sign_up = SignUp(
                    session=session,
                    practitioner=person,
                    team=team,
                    status=SignUpStatus.CONFIRMED if confirmed else SignUpStatus.PENDING,
                    decided_at=_at(day - timedelta(days=10)) if held else None,
                    attended=attended if held else None,
                    attendance_recorded_at=_at(day, 17) if held else None,
                )
                sign_ups.append(sign_up)
                answers_before = held or rng.random() < 0.5
                if not answers_before:
                    continue
                before = SelfAssessment(
                    sign_up=sign_up,
                    moment=Moment.BEFORE,
                    submitted_at=min(_at(day - timedelta(days=7), 14), now),
                )
                assessments.append(before)
                values = [min(5, max(1, round(rng.gauss(2.6, 0.8)))) for _item in items]
                answers.extend(
                    Answer(assessment=before, item=item, value=value)
                    for item, value in zip(items, values, strict=True)
                )
                if attended and rng.random() < 0.85:
                    after = SelfAssessment(
                        sign_up=sign_up,
                        moment=Moment.AFTER,
                        submitted_at=min(_at(day + timedelta(days=3), 14), now),
                    )
                    assessments.append(after)
                    answers.extend(
                        Answer(
                            assessment=after,
                            item=item,
                            value=min(5, max(1, round(value + rng.gauss(effect, 0.8)))),
                        )
                        for item, value, effect in zip(items, values, ITEM_EFFECTS, strict=True)
                    )
    ImmersionSession.objects.bulk_create(sessions)
    ImmersionSession.topics.through.objects.bulk_create(session_topics)
    SignUp.objects.bulk_create(sign_ups)
    SelfAssessment.objects.bulk_create(assessments)
    Answer.objects.bulk_create(answers, batch_size=2000)
    gen.result.counts.update(
        {
            "training_programmes": 1,
            "training_teams": len(teams),
            "training_sessions": len(sessions),
            "training_sign_ups": len(sign_ups),
            "self_assessments": len(assessments),
        }
    )
