"""Every write to a referral or a consultation: one transaction, the rule checked, every
step recorded (who, when), the audit row written, the people concerned told."""

from datetime import date, datetime
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core import deidentification, uploads
from maillage.core.models import User
from maillage.core.tokens import join_codes
from maillage.directory.models import Membership, Practitioner, ServiceOffer, Team
from maillage.families import selectors as family_selectors
from maillage.families.guard_names import name_index
from maillage.families.models import Category, CircleMember, Family
from maillage.families.permissions import family_access
from maillage.families.services import (
    IllegalTransition,
    enrol_in_circle,
    take_over_lead_on_referral,
)

from . import selectors
from .models import (
    RECEIVER_STEPS,
    REFERRER_STEPS,
    TRANSITIONS,
    Attachment,
    ConsentRequest,
    Consultation,
    ConsultationMessage,
    EmailPreferences,
    FollowUp,
    Notification,
    Referral,
    ReferralEvent,
    RejectReason,
    Status,
    Step,
    Urgency,
)
from .permissions import consent_covers

ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024

__all__ = ["IllegalTransition"]


class NoCoveringConsent(ValidationError):  # noqa: N818 - a refusal, named for its reason
    """No consent in effect shares what the referral carries with the receiving
    organization: the page offers to record one."""


def _event(
    by: User,
    action: str,
    referral_or_consultation,
    family: Family | None,
    request=None,
    **details: Any,
) -> None:
    if family is not None:
        record_event(
            action=action,
            actor=by,
            object_type="families.family",
            object_id=str(family.id),
            object_label=family.reference,
            request=request,
            details={
                "what": referral_or_consultation._meta.model_name,
                "id": str(referral_or_consultation.pk),
                **details,
            },
        )
    else:
        record_event(
            action=action, actor=by, obj=referral_or_consultation, request=request, details=details
        )


def _members(team_id) -> list[User]:
    return list(
        User.objects.filter(practitioner__memberships__team_id=team_id, is_active=True).distinct()
    )


def notify(users, kind: str, params: dict, url: str, *, email_pref: str) -> None:
    """In-app notice now; e-mail through the task queue once the transaction holds, to
    those whose preferences ask for it."""
    from .tasks import send_notification_email

    users = [u for u in users if u is not None]
    Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, params=params, url=url) for u in users]
    )
    refused = set(
        EmailPreferences.objects.filter(user__in=users, **{email_pref: False}).values_list(
            "user_id", flat=True
        )
    )
    for user in users:
        if user.id not in refused:
            transaction.on_commit(
                partial(send_notification_email.enqueue, str(user.id), kind, params, url)
            )


def check_attachment(upload) -> uploads.CheckedFile:
    return uploads.check_upload(upload, field="attachments", max_bytes=ATTACHMENT_MAX_BYTES)


@transaction.atomic
def refer_family(
    *,
    by: User,
    family: Family,
    from_team: Team,
    to_team: Team,
    reason: str,
    service_offer: ServiceOffer | None = None,
    family_wishes: str = "",
    urgency: str = Urgency.ROUTINE,
    preferred_language: str = "",
    preferred_contact: str = "",
    categories: list[str] | None = None,
    attachments=(),
    send: bool = True,
    referrer_leaves_on_hand_over: bool = False,
    request=None,
) -> Referral:
    """A circle member refers the family to a team. It cannot be sent unless a consent in
    effect covers the receiving organization for every category the referral carries."""
    if not by.has_perm("families.add_entry", family):
        raise PermissionDenied
    categories = categories or [Category.IDENTITY]
    errors: dict[str, str] = {}
    if not Membership.objects.filter(practitioner__user=by, team=from_team).exists():
        errors["from_team"] = _("You are not a member of this team.")
    if to_team.id == from_team.id:
        errors["to_team"] = _("A team cannot refer to itself.")
    if service_offer is not None and service_offer.team_id != to_team.id:
        errors["service_offer"] = _("This service is not offered by that team.")
    unknown = [c for c in categories if c not in Category.values]
    if unknown:
        errors["categories"] = _("Unknown category: %(codes)s.") % {"codes": ", ".join(unknown)}
    access = family_access(by, family)
    if any(c not in access.categories for c in categories if c in Category.values):
        errors["categories"] = _("You cannot share a category you cannot see.")
    if not reason.strip():
        errors["reason"] = _("Say why you refer the family.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Unknown urgency.")
    if errors:
        raise ValidationError(errors)
    checked = [check_attachment(upload) for upload in attachments]
    if send and not consent_covers(family, to_team.organization_id, categories):
        raise NoCoveringConsent(
            {
                "to_team": _(
                    "No consent in effect lets the family's information go to %(org)s for "
                    "what this referral carries. Record the family's consent first."
                )
                % {"org": to_team.organization.name}
            }
        )
    referral = Referral(
        family=family,
        referrer=by,
        from_team=from_team,
        to_team=to_team,
        service_offer=service_offer,
        reason=reason,
        family_wishes=family_wishes,
        urgency=urgency,
        preferred_language=preferred_language,
        preferred_contact=preferred_contact,
        shared_categories=join_codes(categories),
        referrer_leaves_on_hand_over=bool(referrer_leaves_on_hand_over),
    )
    referral.full_clean()
    referral.save()
    for file in checked:
        attachment = Attachment(referral=referral, name=file.name[:200], size=len(file.data))
        uploads.store(attachment.file, file)
        attachment.save()
    _event(by, Action.CREATED, referral, family, request, to_team=str(to_team.id))
    if send:
        referral = take_step(by=by, referral=referral, step=Step.SEND, request=request)
    return referral


def _check_step_details(referral: Referral, step: str, details: dict) -> None:
    errors = {}
    if step == Step.ACCEPT and details.get("follow_up") not in FollowUp.values:
        errors["follow_up"] = _("Choose joint follow-up or hand-over.")
    if step == Step.REJECT:
        if details.get("reject_reason") not in RejectReason.values:
            errors["reject_reason"] = _("Choose the reason for declining.")
        if details.get("reject_reason") == RejectReason.OTHER and not details.get("reject_text"):
            errors["reject_text"] = _("Explain the reason.")
    if step == Step.HOLD:
        until = details.get("on_hold_until")
        if not isinstance(until, date) or until < timezone.localdate():
            errors["on_hold_until"] = _("Give the expected date, today or later.")
    if step == Step.COMPLETE and not str(details.get("outcome", "")).strip():
        errors["outcome"] = _("Feed back the outcome to the referrer.")
    if step == Step.START:
        at = details.get("first_contact_at")
        if at is not None and (
            not isinstance(at, datetime)
            or at > timezone.now()
            or (referral.decided_at and at < referral.decided_at)
        ):
            errors["first_contact_at"] = _(
                "The first contact is after the acceptance and not in the future."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def take_step(
    *, by: User, referral: Referral, step: str, note: str = "", request=None, **details: Any
) -> Referral:
    """Moves the referral along one row of TRANSITIONS, or refuses with the reason.

    The row is locked first: when two members of the receiving team accept at the same
    moment, the second finds it already accepted and is told so."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("family", "to_team__organization", "from_team")
        .get(pk=referral.pk)
    )
    if step in REFERRER_STEPS and not by.has_perm("referrals.act_as_referrer", referral):
        raise PermissionDenied
    if step in RECEIVER_STEPS and not by.has_perm("referrals.act_as_receiver", referral):
        raise PermissionDenied
    allowed = TRANSITIONS[referral.status]
    if step not in allowed:
        raise IllegalTransition(
            _("This referral is “%(status)s”: “%(step)s” is not possible any more.")
            % {"status": Status(referral.status).label, "step": Step(step).label}
        )
    _check_step_details(referral, step, details)
    now = timezone.now()
    before = referral.status
    referral.status = allowed[step]
    if step == Step.SEND:
        if not consent_covers(
            referral.family, referral.to_team.organization_id, referral.category_codes
        ):
            raise NoCoveringConsent(
                {"to_team": _("No consent in effect covers the receiving organization.")}
            )
        referral.requested_at = now
    elif step == Step.ACKNOWLEDGE:
        referral.received_at = now
        referral.handled_by = by
    elif step in (Step.ACCEPT, Step.REJECT):
        referral.decided_at = now
        referral.handled_by = by
        referral.follow_up = details.get("follow_up", "")
        referral.reject_reason = details.get("reject_reason", "")
        referral.reject_text = details.get("reject_text", "")
        if step == Step.ACCEPT:
            _follow_up(by, referral, details.get("assign_to"), request)
    elif step == Step.HOLD:
        referral.on_hold_until = details["on_hold_until"]
    elif step == Step.START:
        referral.first_contact_at = details.get("first_contact_at") or now
    elif step == Step.COMPLETE:
        referral.outcome = details["outcome"]
    if referral.status in (Status.COMPLETED, Status.CANCELLED, Status.FAILED, Status.REJECTED):
        referral.closed_at = now
    referral.save()
    ReferralEvent.objects.create(
        referral=referral,
        by=by,
        step=step,
        from_status=before,
        to_status=referral.status,
        note=note,
        at=now,
    )
    _event(
        by, Action.UPDATED, referral, referral.family, request, step=step, status=referral.status
    )
    _tell(referral, step)
    return referral


def _receiving_worker(by: User, referral: Referral, assign_to) -> Practitioner:
    """Who follows the family for the receiving team: the accepting person, or the member
    of the receiving team they assign."""
    if assign_to in (None, ""):
        practitioner = getattr(by, "practitioner", None)
        if practitioner is None:
            raise ValidationError(
                {"assign_to": _("Choose the member of your team who will follow the family.")}
            )
        return practitioner
    practitioner_id = assign_to.pk if isinstance(assign_to, Practitioner) else assign_to
    try:
        found = Practitioner.objects.filter(
            pk=practitioner_id, memberships__team=referral.to_team, user__is_active=True
        ).first()
    except (ValidationError, ValueError):
        found = None
    if found is None:
        raise ValidationError({"assign_to": _("Choose a member of the receiving team.")})
    return found


def _follow_up(by: User, referral: Referral, assign_to, request) -> None:
    """On acceptance, the receiving team's worker joins the circle of care, under the
    consent that let the referral through. Joint follow-up: the lead is unchanged.
    Hand-over: that worker becomes the lead (families.services.take_over_lead_on_referral:
    open actions reassigned, the referrer staying or leaving as they chose, the timeline
    told), in this same transaction."""
    team = referral.to_team
    family = referral.family
    practitioner = _receiving_worker(by, referral, assign_to)
    member = CircleMember.objects.filter(
        family=family, practitioner=practitioner, left_at__isnull=True
    ).first()
    if member is None:
        member = enrol_in_circle(
            by=by,
            family=family,
            practitioner=practitioner,
            team=team,
            role=_("Joined through a referral"),
            request=request,
        )
    if referral.follow_up == FollowUp.HAND_OVER:
        take_over_lead_on_referral(
            by=by,
            family=family,
            to=member,
            team=team,
            reference=referral.reference,
            referrer=referral.referrer,
            referrer_leaves=referral.referrer_leaves_on_hand_over,
            request=request,
        )


def _tell(referral: Referral, step: str) -> None:
    url = f"/referrals/{referral.id}/"
    params = {
        "ref": referral.reference,
        "team": referral.to_team.name,
        "status": referral.status,
        "urgency": referral.urgency,
    }
    if step == Step.SEND:
        notify(
            _members(referral.to_team_id),
            "incoming",
            {**params, "who": referral.referrer.full_name},
            url,
            email_pref="overdue_reminders",
        )
    elif step != Step.CANCEL:
        notify([referral.referrer], "step", params, url, email_pref="referral_steps")


@transaction.atomic
def plan_warm_handoff(
    *, by: User, referral: Referral, at: datetime | None, done: bool = False, request=None
) -> Referral:
    """A joint first meeting with the family, proposed or held, by either side."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not (
        by.has_perm("referrals.act_as_receiver", referral)
        or by.has_perm("referrals.act_as_referrer", referral)
    ):
        raise PermissionDenied
    if referral.status not in (
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.RECEIVED,
        Status.ON_HOLD,
    ):
        raise IllegalTransition(
            _(
                "A joint first meeting is planned once the referral is "
                "acknowledged, and before it is closed."
            )
        )
    referral.warm_handoff_at = at
    referral.warm_handoff_done = done
    referral.save(update_fields=["warm_handoff_at", "warm_handoff_done", "updated_at"])
    _event(by, Action.UPDATED, referral, referral.family, request, warm_handoff=True)
    return referral


def send_overdue_reminders(*, now: datetime | None = None) -> int:
    """Tells each receiving team whose referrals wait past their acknowledgement target.
    Run daily (`maillage send-reminders`); returns how many referrals were overdue."""
    from .selectors import overdue_referrals

    count = 0
    for referral, days, target in overdue_referrals(now=now):
        count += 1
        with transaction.atomic():
            notify(
                _members(referral.to_team_id),
                "overdue",
                {
                    "ref": referral.reference,
                    "team": referral.to_team.name,
                    "days": days,
                    "target": target,
                },
                f"/referrals/{referral.id}/",
                email_pref="overdue_reminders",
            )
    return count


# --- consultations ----------------------------------------------------------------------


def ask_consultation(
    *,
    by: User,
    from_team: Team,
    to_team: Team,
    subject: str,
    question: str,
    family: Family | None = None,
    request=None,
) -> Consultation:
    """Ask a team for advice. De-identified (no family) questions are checked for names of
    people on record, phone numbers, health-card numbers and dates of birth first; a
    question about a family needs a consent covering the consulted organization. The
    checks run before the write transaction opens: no lock is held while the guard reads."""
    if not by.has_perm("referrals.ask_consultation"):
        raise PermissionDenied
    if not Membership.objects.filter(practitioner__user=by, team=from_team).exists():
        raise ValidationError({"from_team": _("You are not a member of this team.")})
    deidentification.check_lengths({"question": question})
    if family is None:
        findings = deidentification.scan(f"{subject}\n{question}", names=name_index())
        if findings:
            raise ValidationError(
                {
                    "question": [
                        _(
                            "This looks identifying: “%(text)s” (%(kind)s). Remove it, or link the "
                            "consultation to the family under its consent."
                        )
                        % {"text": f.text, "kind": f.label}
                        for f in findings
                    ]
                }
            )
    else:
        if not by.has_perm("families.add_entry", family):
            raise PermissionDenied
        if not consent_covers(family, to_team.organization_id, []):
            raise NoCoveringConsent(
                {
                    "to_team": _(
                        "No consent in effect covers %(org)s: ask a de-identified question, "
                        "or record the family's consent first."
                    )
                    % {"org": to_team.organization.name}
                }
            )
    if not question.strip():
        raise ValidationError({"question": _("Write your question.")})
    with transaction.atomic():
        consultation = Consultation.objects.create(
            asked_by=by, from_team=from_team, to_team=to_team, family=family, subject=subject
        )
        ConsultationMessage.objects.create(consultation=consultation, author=by, text=question)
        _event(by, Action.CREATED, consultation, family, request)
        notify(
            _members(to_team.id),
            "consultation",
            {"who": by.full_name, "subject": subject},
            f"/referrals/consultations/{consultation.id}/",
            email_pref="consultation_answers",
        )
    return consultation


def reply_to_consultation(
    *, by: User, consultation: Consultation, text: str, request=None
) -> ConsultationMessage:
    """A message in a consultation; in a de-identified one, checked by the guard first,
    before the write transaction opens."""
    if not by.has_perm("referrals.view_consultation", consultation):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write your message.")})
    deidentification.check_lengths({"text": text})
    if consultation.is_deidentified:
        findings = deidentification.scan(text, names=name_index())
        if findings:
            raise ValidationError(
                {
                    "text": [
                        _("This looks identifying: “%(text)s” (%(kind)s).")
                        % {"text": f.text, "kind": f.label}
                        for f in findings
                    ]
                }
            )
    with transaction.atomic():
        message = ConsultationMessage.objects.create(
            consultation=consultation, author=by, text=text
        )
        if by.id != consultation.asked_by_id and consultation.answered_at is None:
            consultation.answered_at = message.at
            consultation.save(update_fields=["answered_at"])
        _event(by, Action.UPDATED, consultation, consultation.family, request, message=True)
        others = (
            [consultation.asked_by]
            if by.id != consultation.asked_by_id
            else _members(consultation.to_team_id)
        )
        notify(
            others,
            "consultation",
            {"who": by.full_name, "subject": consultation.subject},
            f"/referrals/consultations/{consultation.id}/",
            email_pref="consultation_answers",
        )
    return message


@transaction.atomic
def save_email_preferences(*, user: User, **choices: bool) -> EmailPreferences:
    preferences, _created = EmailPreferences.objects.get_or_create(user=user)
    for name, value in choices.items():
        setattr(preferences, name, bool(value))
    preferences.save()
    return preferences


def mark_notifications_read(*, user: User) -> int:
    """The notifications page was shown: what it listed is read (a write, done here and
    not by the page's GET handler on its own)."""
    return user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def ask_for_consent(*, by: User, family_id, request=None) -> ConsentRequest:
    """A partner still in the circle asks the family's lead to renew or widen its
    organization's consent. One open request per organization and family: asking again
    reminds nobody twice. The partner learns nothing of the family by asking."""
    family = family_selectors.family_for_consent_request(by, family_id)
    access = family_access(by, family)
    lead = family_selectors.lead_user(family)
    if lead is None:
        raise ValidationError({"family": _("This family has no lead worker to ask.")})
    open_request = selectors.open_consent_request(family, access.organization_id)
    if open_request is not None:
        return open_request
    asked = ConsentRequest.objects.create(
        family=family, organization_id=access.organization_id, asked_by=by, lead=lead
    )
    organization = asked.organization.name
    _event(by, Action.CREATED, asked, family, request, organization=str(organization))
    notify(
        [lead],
        "consent_request",
        {"ref": family.reference, "who": by.full_name, "organization": organization},
        reverse("families:consents", args=[family.id]),
        email_pref="referral_steps",
    )
    return asked
