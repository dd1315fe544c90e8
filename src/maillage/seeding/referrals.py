"""The generator's referrals stage: referrals in every state of their lifecycle, with the
history of their steps, and case consultations between teams.

Referrals go only where a consent covered the receiving organization at the time they were
sent (or within the recording organization), as the product requires.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from maillage.referrals.models import (
    TRANSITIONS,
    Consultation,
    ConsultationMessage,
    FollowUp,
    Referral,
    ReferralEvent,
    RejectReason,
    Status,
    Step,
    Urgency,
)

# How far along each referral went: the path of steps from "sent". Weights give a network
# where most referrals close their loop but every state is present.
PATHS = [
    ((), 2),  # left as draft
    ((Step.SEND,), 8),
    ((Step.SEND, Step.ACKNOWLEDGE), 7),
    ((Step.SEND, Step.ACKNOWLEDGE, Step.HOLD), 5),
    ((Step.SEND, Step.ACKNOWLEDGE, Step.ACCEPT), 8),
    ((Step.SEND, Step.ACKNOWLEDGE, Step.ACCEPT, Step.START), 10),
    ((Step.SEND, Step.ACKNOWLEDGE, Step.ACCEPT, Step.START, Step.COMPLETE), 35),
    ((Step.SEND, Step.ACKNOWLEDGE, Step.REJECT), 10),
    ((Step.SEND, Step.CANCEL), 4),
    ((Step.SEND, Step.ACKNOWLEDGE, Step.ACCEPT, Step.FAIL), 8),
    ((Step.SEND, Step.ACKNOWLEDGE, Step.HOLD, Step.ACCEPT, Step.START), 3),
]
# Each reason, the child it fits (its age in days, None while expected) and the services it
# asks for: a referral's reason fits the family's child and the service it is sent to.
EXPECTED, ANY_BORN = (None, None), (0, 6 * 365)
REASONS = [
    (
        "Grossesse et consommation d'opioïdes : suivi spécialisé souhaité.",
        EXPECTED,
        {"addiction_treatment", "assessment", "prenatal_care", "harm_reduction"},
    ),
    (
        "Mère isolée avec un nourrisson : soutien au rôle parental à domicile.",
        (0, 365),
        {"home_visits", "parenting_support", "postnatal_care"},
    ),
    (
        "Besoin d'une place en CPE pour permettre le retour aux études.",
        (120, 5 * 365),
        {"child_care"},
    ),
    (
        "Signes de dépression post-partum, évaluation demandée.",
        (0, 365),
        {"mental_health", "assessment", "parent_infant_therapy", "postnatal_care"},
    ),
    (
        "Family needs housing support before the baby arrives.",
        EXPECTED,
        {"basic_needs", "outreach"},
    ),
    (
        "Évaluation du développement de l'enfant (18 mois).",
        (450, 640),
        {"assessment", "parent_infant_therapy", "medical_care"},
    ),
]


def reason_for(offer, age_days, rng) -> str:
    """A reason that fits the family's child and the service asked for; failing one, a
    request to assess the family's needs."""
    fitting = [
        text
        for text, (low, high), services in REASONS
        if (age_days is None if low is None else age_days is not None and low <= age_days <= high)
        and offer is not None
        and offer.service_type in services
    ]
    if fitting:
        return rng.choice(fitting)
    return "Demande d'évaluation des besoins de la famille par l'équipe."


QUESTIONS = [
    (
        "Méthadone et allaitement",
        "Une mère sous méthadone peut-elle allaiter ? Quels signes "
        "de sevrage surveiller chez le nouveau-né ?",
    ),
    (
        "Attachement et consommation",
        "Comment soutenir le lien mère-bébé quand la mère consomme de façon intermittente ?",
    ),
    (
        "Signalement ou non ?",
        "À partir de quand une consommation pendant la grossesse justifie-t-elle un signalement ?",
    ),
    (
        "Sleep and crying",
        "A 3-month-old cries for hours every evening. Advice sought on what the home "
        "visitor should look for.",
    ),
]


class ReferralsStage:
    def __init__(
        self,
        rng: random.Random,
        count: int,
        followed: list[tuple],
        teams,
        offers,
        memberships,
        progress,
        child_age_days=None,
    ):
        self.rng = rng
        self.child_age_days = child_age_days or {}
        self.count = count
        self.followed = followed
        self.progress = progress
        self.now = timezone.now()
        self.teams_by_org: dict = {}
        for team in teams:
            self.teams_by_org.setdefault(team.organization_id, []).append(team)
        self.offers_by_team: dict = {}
        for offer in offers:
            if offer.is_active:
                self.offers_by_team.setdefault(offer.team_id, []).append(offer)
        # The receiving side's steps are taken by members of the receiving team.
        self.members_by_team: dict = {}
        for m in memberships:
            self.members_by_team.setdefault(m.team_id, []).append(m.practitioner.user_id)
        self.made = 0
        self.consulted = [t for org_teams in self.teams_by_org.values() for t in org_teams]

    def run(self) -> dict[str, int]:
        referrals, events = [], []
        for number in range(self.count):
            made = self._referral()
            if made is None:
                continue
            referral, steps = made
            referrals.append(referral)
            events.extend(steps)
            if len(referrals) >= 5000:
                self._flush(referrals, events)
                self.progress("referrals", number, self.count)
        self._flush(referrals, events)
        consultations = self._consultations(max(self.count // 10, 10))
        return {"referrals": self.made, "consultations": consultations}

    def _flush(self, referrals, events) -> None:
        Referral.objects.bulk_create(referrals, batch_size=2000)
        self.made += len(referrals)
        ReferralEvent.objects.bulk_create(events, batch_size=5000)
        referrals.clear()
        events.clear()

    def _target(self, family_tuple):
        """A team the family may be referred to at some moment, and when."""
        _family, _user, team_id, org_id, shared, consent_from, consent_until, created = family_tuple
        rng = self.rng
        if shared and rng.random() < 0.8:
            org = rng.choice(sorted(shared, key=str))
            start = datetime.combine(consent_from, time(9), tzinfo=timezone.get_current_timezone())
            end = min(
                datetime.combine(consent_until, time(17), tzinfo=timezone.get_current_timezone()),
                self.now,
            )
        else:
            org = org_id  # within the recording organization: no consent needed
            start, end = created, self.now
        candidates = [t for t in self.teams_by_org.get(org, []) if t.id != team_id]
        if not candidates or end <= start:
            return None
        span = (end - start).total_seconds()
        return rng.choice(candidates), start + timedelta(seconds=rng.random() * span * 0.9)

    def _referral(self):
        rng = self.rng
        family_tuple = rng.choice(self.followed)
        target = self._target(family_tuple)
        if target is None:
            return None
        to_team, sent_at = target
        family_id, user_id, from_team_id = family_tuple[0], family_tuple[1], family_tuple[2]
        path = rng.choices([p for p, _w in PATHS], weights=[w for _p, w in PATHS])[0]
        # The service asked for fits the family's child: prenatal care while expected,
        # child care once born.
        age_days = self.child_age_days.get(family_id, 0)
        unfit = "child_care" if age_days is None else "prenatal_care"
        # Training is for professionals: no family is referred to it.
        offers = [
            o
            for o in self.offers_by_team.get(to_team.id, [])
            if o.service_type not in (unfit, "training")
        ] or [None]
        referral = Referral(
            family_id=family_id,
            referrer_id=user_id,
            from_team_id=from_team_id,
            to_team=to_team,
            service_offer=(offer := rng.choice(offers)),
            reason=reason_for(offer, age_days, rng),
            urgency=Urgency.URGENT if rng.random() < 0.15 else Urgency.ROUTINE,
            created_at=sent_at - timedelta(minutes=rng.randint(5, 600)),
        )
        steps, status, at = [], Status.DRAFT, sent_at
        for step in path:
            if step != Step.SEND:
                at = at + timedelta(hours=rng.uniform(1, 24 * (12 if step == Step.START else 4)))
            if at > self.now:
                break
            nxt = TRANSITIONS[status][step]
            by = user_id
            if step not in (Step.SEND, Step.CANCEL):
                by = rng.choice(self.members_by_team.get(to_team.id) or [user_id])
                referral.handled_by_id = by
            self._apply(referral, step, at)
            steps.append(
                ReferralEvent(
                    referral=referral, at=at, by_id=by, step=step, from_status=status, to_status=nxt
                )
            )
            status = nxt
        referral.status = status
        return referral, steps

    def _apply(self, referral: Referral, step: str, at: datetime) -> None:
        rng = self.rng
        if step == Step.SEND:
            referral.requested_at = at
        elif step == Step.ACKNOWLEDGE:
            referral.received_at = at
        elif step == Step.ACCEPT:
            referral.decided_at = at
            referral.follow_up = FollowUp.JOINT if rng.random() < 0.5 else FollowUp.HAND_OVER
        elif step == Step.REJECT:
            referral.decided_at = at
            referral.reject_reason = rng.choice(RejectReason.values)
            referral.reject_text = "Voir avec l'équipe" if referral.reject_reason == "other" else ""
        elif step == Step.HOLD:
            referral.on_hold_until = (at + timedelta(days=rng.randint(10, 60))).date()
        elif step == Step.START:
            referral.first_contact_at = at
        elif step == Step.COMPLETE:
            referral.outcome = "Suivi en place ; la famille est satisfaite."
        if step in (Step.COMPLETE, Step.REJECT, Step.CANCEL, Step.FAIL):
            referral.closed_at = at

    def _consultations(self, count: int) -> int:
        rng = self.rng
        rows, messages = [], []
        for _ in range(count):
            family_tuple = rng.choice(self.followed)
            to_team = rng.choice(self.consulted)
            subject, question = rng.choice(QUESTIONS)
            at = self.now - timedelta(days=rng.randint(1, 365))
            answered = rng.random() < 0.8
            consultation = Consultation(
                asked_by_id=family_tuple[1],
                from_team_id=family_tuple[2],
                to_team=to_team,
                subject=subject,
                created_at=at,
                answered_at=at + timedelta(days=rng.randint(1, 5)) if answered else None,
            )
            rows.append(consultation)
            messages.append(
                ConsultationMessage(
                    consultation=consultation, author_id=family_tuple[1], text=question, at=at
                )
            )
            if answered:
                answerer = rng.choice(self.members_by_team.get(to_team.id) or [family_tuple[1]])
                messages.append(
                    ConsultationMessage(
                        consultation=consultation,
                        author_id=answerer,
                        at=consultation.answered_at,
                        text="Réponse de l'équipe : voir les repères ci-joints et en rediscuter.",
                    )
                )
        Consultation.objects.bulk_create(rows, batch_size=2000)
        ConsultationMessage.objects.bulk_create(messages, batch_size=5000)
        return len(rows)
