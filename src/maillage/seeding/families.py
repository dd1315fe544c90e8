"""The generator's families stage: families followed together across organizations, with
their consents, circles of care, shared plans and timelines.

Written in chunks of families so that a region (30,000 families, 1.5 million timeline
entries) is built with bounded memory, straight with bulk inserts.
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from maillage.core.text import fold
from maillage.core.tokens import join_codes
from maillage.directory.models import Sector
from maillage.families.models import (
    ActionStatus,
    Caregiver,
    Category,
    Child,
    CircleMember,
    Consent,
    ConsentMethod,
    ContactWay,
    EntryKind,
    Family,
    Goal,
    PlanAction,
    PlanReview,
    Reason,
    TimelineEntry,
    Visibility,
    VisitOutcome,
)

from . import names

# Sectors whose practitioners usually lead a family's follow-up, and those who join.
LEAD_SECTORS = {
    Sector.PERINATAL,
    Sector.HOME_VISITING,
    Sector.PRIMARY_CARE,
    Sector.SUBSTANCE_USE,
    Sector.CHILD_PROTECTION,
}
CHUNK = 500

NEEDS = [
    ("Avoir un logement stable avant l'arrivée du bébé", "Trouver un logement adapté"),
    ("Arrêter de consommer pendant la grossesse", "Réduire puis cesser la consommation"),
    ("Me sentir moins seule", "Rejoindre un groupe de parents"),
    ("Comprendre ce qui se passe avec la DPJ", "Préparer la rencontre avec la DPJ"),
    ("Que mon bébé dorme mieux", "Mettre en place une routine de sommeil"),
    ("Avoir assez à manger à la fin du mois", "Obtenir l'aide alimentaire"),
    ("Keep my baby with me", "Show the protection worker a safe home"),
    ("Retourner aux études", "Trouver une place en CPE"),
]
ACTIONS = [
    "Remplir la demande de logement social",
    "Accompagner à la première rencontre",
    "Inscrire au groupe du mardi",
    "Rencontre conjointe avec la DPJ",
    "Référer au programme mère-enfant",
    "Visite à domicile conjointe",
    "Demande de place en CPE",
    "Appeler la banque alimentaire",
]
NOTES = {
    Category.NOTES: [
        "Rencontre au bureau. Madame dit se sentir plus confiante avec le bébé.",
        "Discussion sur le sommeil et l'allaitement ; questions sur les pleurs du soir.",
        "Father came to the meeting for the first time, engaged and asked many questions.",
        "Préoccupation partagée par l'éducatrice au sujet de l'attachement.",
    ],
    Category.PLAN: [
        "Révision du plan : le logement reste la priorité de la famille.",
        "Objectif atteint : inscription au groupe de parents.",
        "Plan reviewed with the family. Next step is the daycare application.",
    ],
    Category.SUBSTANCE_USE: [
        "Consommation en baisse selon Madame ; rendez-vous au CRD maintenu.",
        "Rechute la semaine dernière, en parle ouvertement ; plan de sécurité revu.",
    ],
    Category.MENTAL_HEALTH: [
        "Humeur plus basse depuis l'accouchement ; dépistage EPDS proposé.",
        "Suivi en santé mentale commencé, se sent écoutée.",
    ],
    Category.CHILD_PROTECTION: [
        "Rencontre avec l'intervenante DPJ : mesures volontaires proposées.",
        "Signalement retenu ; collaboration de la famille notée.",
    ],
    Category.IDENTITY: ["Nouveau numéro de téléphone donné par Madame."],
}


# A note written at a place says so: the same observation, told as a home visit, a call, a
# case conference or an event. Kinds not listed keep the note as it is.
AS_KIND = {
    "Rencontre au bureau. Madame dit se sentir plus confiante avec le bébé.": {
        EntryKind.HOME_VISIT: "Visite à domicile. Madame dit se sentir plus confiante avec "
        "le bébé.",
        EntryKind.PHONE_CALL: "Appel. Madame dit se sentir plus confiante avec le bébé.",
        EntryKind.CASE_CONFERENCE: "Rencontre clinique. Madame se dit plus confiante avec le bébé.",
        EntryKind.EVENT: "Madame dit se sentir plus confiante avec le bébé.",
    },
    "Father came to the meeting for the first time, engaged and asked many questions.": {
        EntryKind.HOME_VISIT: "Father was at the home visit for the first time, engaged and "
        "asked many questions.",
        EntryKind.PHONE_CALL: "Father joined the call for the first time, engaged and asked "
        "many questions.",
    },
    "Rencontre avec l'intervenante DPJ : mesures volontaires proposées.": {
        EntryKind.HOME_VISIT: "Visite conjointe avec l'intervenante DPJ : mesures volontaires "
        "proposées.",
        EntryKind.PHONE_CALL: "Appel avec l'intervenante DPJ : mesures volontaires proposées.",
    },
}


def note_for(kind: str, text: str, *, visit_reason: str = "") -> str:
    """The note as the entry's kind tells it; a visit that did not take place says so."""
    if kind == EntryKind.HOME_VISIT and visit_reason:
        return f"Visite non réalisée : {visit_reason[0].lower()}{visit_reason[1:]}."
    return AS_KIND.get(text, {}).get(kind, text)


NOTE_KINDS = [k for k in EntryKind.values if k != EntryKind.PROGRAMME_SESSION]


class FamiliesStage:
    """Builds families on top of a generated directory (teams, practitioners, accounts)."""

    def __init__(
        self,
        rng: random.Random,
        families: int,
        entries_per_family: int,
        memberships,
        organizations,
        progress,
    ):
        self.rng = rng
        self.families = families
        self.entries_per_family = entries_per_family
        self.progress = progress
        self.today = timezone.localdate()
        self.now = timezone.now()
        org_by_id = {o.id: o for o in organizations}
        # (practitioner, team, organization) for every membership, by role in follow-up.
        self.leads, self.partners_by_territory = [], {}
        for m in memberships:
            org = org_by_id[m.team.organization_id]
            slot = (m.practitioner, m.team, org)
            if org.sector in LEAD_SECTORS:
                self.leads.append(slot)
            self.partners_by_territory.setdefault(m.team.territory, []).append(slot)
        # What later stages (referrals) need of each family, kept small: its id, its lead
        # worker (user id, team), the organizations a consent in effect covers.
        self.followed: list[tuple] = []
        # Each family's child: its age in days, or None while expected (referral reasons
        # must fit it).
        self.child_age_days: dict = {}
        self.counts = {
            "families": 0,
            "consents": 0,
            "circle_members": 0,
            "goals": 0,
            "plan_actions": 0,
            "timeline_entries": 0,
        }

    def run(self) -> dict[str, int]:
        total = self.families
        for start in range(0, total, CHUNK):
            self._chunk(min(CHUNK, total - start))
            self.progress("families", start + CHUNK, total)
        return self.counts

    def _chunk(self, size: int) -> None:
        rows: dict[str, list] = {
            k: []
            for k in (
                "families",
                "caregivers",
                "children",
                "consents",
                "consent_orgs",
                "circle",
                "goals",
                "actions",
                "reviews",
                "entries",
            )
        }
        for _ in range(size):
            self._family(rows)
        Family.objects.bulk_create(rows["families"], batch_size=2000)
        Caregiver.objects.bulk_create(rows["caregivers"], batch_size=2000)
        Child.objects.bulk_create(rows["children"], batch_size=2000)
        Consent.objects.bulk_create(rows["consents"], batch_size=2000)
        # Two partners of one organization put it twice on a consent: keep it once.
        pairs = {(c.id, o.id) for c, o in rows["consent_orgs"]}
        Consent.organizations.through.objects.bulk_create(
            [Consent.organizations.through(consent_id=c, organization_id=o) for c, o in pairs],
            batch_size=5000,
        )
        CircleMember.objects.bulk_create(rows["circle"], batch_size=2000)
        Goal.objects.bulk_create(rows["goals"], batch_size=2000)
        PlanAction.objects.bulk_create(rows["actions"], batch_size=2000)
        PlanReview.objects.bulk_create(rows["reviews"], batch_size=2000)
        TimelineEntry.objects.bulk_create(rows["entries"], batch_size=5000)
        self.counts["families"] += len(rows["families"])
        self.counts["consents"] += len(rows["consents"])
        self.counts["circle_members"] += len(rows["circle"])
        self.counts["goals"] += len(rows["goals"])
        self.counts["plan_actions"] += len(rows["actions"])
        self.counts["timeline_entries"] += len(rows["entries"])

    def _date_between(self, days_back: int, days_ahead: int) -> date:
        return self.today + timedelta(days=self.rng.randint(-days_back, days_ahead))

    def _family(self, rows) -> None:
        rng = self.rng
        lead_person, lead_team, lead_org = rng.choice(self.leads)
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        created = self.now - timedelta(days=rng.randint(30, 700))
        family = Family(
            recording_organization=lead_org,
            created_by_id=lead_person.user_id,
            reasons=join_codes(rng.sample(Reason.values, rng.randint(1, 3))),
            reasons_in_own_words=rng.choice(
                [
                    "",
                    "Je veux être une bonne mère.",
                    "On a besoin d'aide pour le logement.",
                    "I want my baby to stay with me.",
                ]
            ),
            search_text=fold(f"{first} {last}"),
            created_at=created,
        )
        rows["families"].append(family)
        mother = Caregiver(
            family=family,
            first_name=first,
            last_name=last,
            relationship="mère",
            date_of_birth=self.today - timedelta(days=rng.randint(18 * 365, 40 * 365)),
            languages=",fr," if rng.random() > 0.2 else ",en,fr,",
            phone=f"(819) 555-{rng.randint(1000, 9999)}",
            preferred_contact=rng.choice(ContactWay.values),
            name_key=fold(f"{first} {last}"),
        )
        rows["caregivers"].append(mother)
        if rng.random() < 0.4:
            father_first = rng.choice(names.FIRST_NAMES)
            rows["caregivers"].append(
                Caregiver(
                    family=family,
                    first_name=father_first,
                    last_name=last,
                    relationship="père",
                    name_key=fold(f"{father_first} {last}"),
                )
            )
        if rng.random() < 0.4:
            rows["children"].append(Child(family=family, due_date=self._date_between(-10, 240)))
            self.child_age_days[family.id] = None  # expected
        else:
            age = rng.randint(0, 5 * 365)
            rows["children"].append(
                Child(
                    family=family,
                    first_name=rng.choice(names.FIRST_NAMES),
                    date_of_birth=self.today - timedelta(days=age),
                )
            )
            self.child_age_days[family.id] = age
        circle = [
            CircleMember(
                family=family,
                practitioner=lead_person,
                team=lead_team,
                is_lead=True,
                role="Intervenante pivot",
                joined_at=created,
            )
        ]
        partners = [
            p
            for p in self.partners_by_territory.get(lead_team.territory, [])
            if p[2].id != lead_org.id
        ]
        chosen = rng.sample(partners, min(len(partners), rng.randint(0, 3)))
        if chosen and rng.random() < 0.85:
            valid_from = (created + timedelta(days=rng.randint(0, 20))).date()
            valid_until = valid_from + timedelta(days=365)
            if rng.random() < 0.1:  # some consents end soon: the caseload shows them
                valid_until = self.today + timedelta(days=rng.randint(1, 30))
            categories = [
                Category.IDENTITY,
                Category.PLAN,
                *rng.sample(
                    [
                        Category.NOTES,
                        Category.SUBSTANCE_USE,
                        Category.MENTAL_HEALTH,
                        Category.CHILD_PROTECTION,
                    ],
                    rng.randint(0, 3),
                ),
            ]
            withdrawn = rng.random() < 0.05
            consent = Consent(
                family=family,
                given_by=mother,
                recorded_by_id=lead_person.user_id,
                categories=join_codes(categories),
                purpose="Suivi conjoint de la famille",
                valid_from=valid_from,
                valid_until=max(valid_until, valid_from),
                method=ConsentMethod.VERBAL,
                witness="Intervenante pivot",
                withdrawn_at=self.now - timedelta(days=rng.randint(1, 20)) if withdrawn else None,
                withdrawn_by_id=lead_person.user_id if withdrawn else None,
            )
            rows["consents"].append(consent)
            seen_people = {lead_person.id}
            for person, team, org in chosen:
                rows["consent_orgs"].append((consent, org))
                if person.id in seen_people:
                    continue
                seen_people.add(person.id)
                circle.append(
                    CircleMember(
                        family=family,
                        practitioner=person,
                        team=team,
                        role="Partenaire",
                        joined_at=created,
                    )
                )
        rows["circle"].extend(circle)
        consent = rows["consents"][-1] if rows["consents"] else None
        if consent is not None and consent.family is family and not consent.withdrawn_at:
            shared = (
                frozenset(org.id for _p, _t, org in chosen),
                consent.valid_from,
                consent.valid_until,
            )
        else:
            shared = (frozenset(), None, None)
        self.followed.append(
            (family.id, lead_person.user_id, lead_team.id, lead_org.id, *shared, created)
        )
        for need, goal_text in rng.sample(NEEDS, rng.randint(1, 3)):
            goal = Goal(family=family, need=need, goal=goal_text)
            rows["goals"].append(goal)
            for _ in range(rng.randint(1, 3)):
                rows["actions"].append(
                    PlanAction(
                        goal=goal,
                        family=family,
                        description=rng.choice(ACTIONS),
                        owner=rng.choice(circle),
                        due_date=self._date_between(60, 60),
                        status=rng.choices(ActionStatus.values, weights=[4, 3, 4, 1])[0],
                    )
                )
        rows["reviews"].append(PlanReview(family=family, planned_for=self._date_between(30, 90)))
        self._timeline(rows, family, circle, created)

    def _timeline(self, rows, family, circle, created) -> None:
        rng = self.rng
        span = max((self.now - created).days, 1)
        for _ in range(self.entries_per_family):
            member = rng.choice(circle)
            # Programme sessions come with their enrolment (seeding/implementation.py).
            kind = rng.choices(NOTE_KINDS, weights=[5, 4, 4, 1, 1])[0]
            category = rng.choices(list(NOTES), weights=[6, 3, 2, 2, 1, 1])[0]
            outcome = reason = ""
            if kind == EntryKind.HOME_VISIT:
                outcome = rng.choices(VisitOutcome.values, weights=[7, 2, 1, 1])[0]
                reason = (
                    ""
                    if outcome == VisitOutcome.DONE
                    else rng.choice(
                        ["Absente au rendez-vous", "Bébé malade", "A demandé de reporter"]
                    )
                )
            occurred = datetime.combine(
                (created + timedelta(days=rng.randint(0, span))).date(),
                time(rng.randint(8, 17), rng.choice([0, 15, 30, 45])),
                tzinfo=timezone.get_current_timezone(),
            )
            rows["entries"].append(
                TimelineEntry(
                    family=family,
                    kind=kind,
                    occurred_at=min(occurred, self.now),
                    author_id=member.practitioner.user_id,
                    author_team=member.team,
                    category=category,
                    text=note_for(kind, rng.choice(NOTES[category]), visit_reason=reason),
                    visibility=rng.choices(Visibility.values, weights=[12, 2, 1])[0],
                    visit_outcome=outcome,
                    visit_reason=reason,
                )
            )
