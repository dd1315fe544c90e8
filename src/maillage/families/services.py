"""Every write to a family's record: one transaction, the rule checked, the audit row written.

Refusals raise PermissionDenied (the view answers 404 when the family is not visible at
all), bad input ValidationError with the field named, illegal transitions
IllegalTransition, lost races Conflict: the views turn each into a clear message.
"""

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core import uploads
from maillage.core.dates import is_in_range, out_of_range_message
from maillage.core.errors import Conflict, IllegalTransition
from maillage.core.models import User
from maillage.core.text import fold
from maillage.core.tokens import join_codes
from maillage.directory.models import Membership, Organization, Practitioner, Team

from . import selectors
from .models import (
    CONSENT_TRANSITIONS,
    ActionStatus,
    Caregiver,
    Category,
    Child,
    CircleMember,
    Consent,
    ConsentMethod,
    EmergencyAccess,
    EntryKind,
    Family,
    Goal,
    PlanAction,
    PlanChange,
    PlanReview,
    TimelineEntry,
    Visibility,
)
from .permissions import family_access, forget_access, forget_shares

EMERGENCY_ACCESS_DURATION = timedelta(hours=4)
# The same bound as the page's form (forms.EnteredInErrorForm).
ENTERED_IN_ERROR_REASON_MAX = 1000
CONSENT_DEFAULT_LENGTH = timedelta(days=365)
SCAN_MAX_BYTES = 5 * 1024 * 1024


def _require(user: User, perm: str, family: Family) -> None:
    if not user.has_perm(perm, family):
        raise PermissionDenied


def _event(by, action, obj, family: Family, request=None, **details):
    record_event(
        action=action,
        actor=by,
        obj=obj,
        object_type="families.family",
        object_id=str(family.id),
        object_label=family.reference,
        request=request,
        details={"what": obj._meta.model_name, "id": str(obj.pk), **details},
    )


def _practitioner_of(user: User) -> Practitioner:
    try:
        return user.practitioner
    except Practitioner.DoesNotExist:
        raise PermissionDenied from None


# --- families ---------------------------------------------------------------------------


@dataclass
class CaregiverData:
    first_name: str
    last_name: str
    relationship: str = ""
    date_of_birth: date | None = None
    languages: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    address: str = ""
    preferred_contact: str = ""


@dataclass
class ChildData:
    first_name: str = ""
    date_of_birth: date | None = None
    due_date: date | None = None


def _check_child(child: ChildData, index: int) -> None:
    today = timezone.localdate()
    field = f"children[{index}]"
    if bool(child.date_of_birth) == bool(child.due_date):
        raise ValidationError(
            {field: _("A child has either a date of birth (born) or a due date (expected).")}
        )
    if child.date_of_birth and child.date_of_birth > today:
        raise ValidationError(
            {f"{field}.date_of_birth": _("A date of birth cannot be in the future.")}
        )
    if child.due_date and child.due_date < today - timedelta(days=30):
        raise ValidationError(
            {f"{field}.due_date": _("This due date has passed: record the child as born.")}
        )


@transaction.atomic
def create_family(
    *,
    by: User,
    team: Team,
    caregivers: list[CaregiverData],
    children: list[ChildData],
    reasons: list[str],
    reasons_in_own_words: str = "",
    role: str = "",
    request=None,
) -> Family:
    """A practitioner records a family; they become its first circle member and lead."""
    if not by.has_perm("families.create_family"):
        raise PermissionDenied
    practitioner = _practitioner_of(by)
    if not Membership.objects.filter(practitioner=practitioner, team=team).exists():
        raise ValidationError({"team": _("You are not a member of this team.")})
    if not caregivers:
        raise ValidationError({"caregivers": _("Record at least one parent or caregiver.")})
    for index, child in enumerate(children):
        _check_child(child, index)
    today = timezone.localdate()
    for index, person in enumerate(caregivers):
        if person.date_of_birth and person.date_of_birth > today:
            raise ValidationError(
                {
                    f"caregivers[{index}].date_of_birth": _(
                        "A date of birth cannot be in the future."
                    )
                }
            )
    family = Family(
        recording_organization=team.organization,
        created_by=by,
        reasons=join_codes(reasons),
        reasons_in_own_words=reasons_in_own_words,
        search_text=fold(" ".join(f"{c.first_name} {c.last_name}" for c in caregivers)),
    )
    family.full_clean()
    family.save()
    for person in caregivers:
        caregiver = Caregiver(
            family=family,
            first_name=person.first_name.strip(),
            last_name=person.last_name.strip(),
            relationship=person.relationship,
            date_of_birth=person.date_of_birth,
            languages=join_codes(person.languages),
            phone=person.phone,
            email=person.email,
            address=person.address,
            preferred_contact=person.preferred_contact,
            name_key=fold(f"{person.first_name} {person.last_name}"),
        )
        caregiver.full_clean()
        caregiver.save()
    for child in children:
        Child.objects.create(
            family=family,
            first_name=child.first_name,
            date_of_birth=child.date_of_birth,
            due_date=child.due_date,
        )
    CircleMember.objects.create(
        family=family, practitioner=practitioner, team=team, role=role, is_lead=True
    )
    _event(by, Action.CREATED, family, family, request)
    forget_access(by)
    return family


@transaction.atomic
def check_for_duplicates(
    *, by: User, first_name: str, last_name: str, date_of_birth, request=None
) -> list[Family]:
    """Before a family is recorded: the families with a caregiver of the same name and birth
    date that the reader may open. A match the reader may not see is never revealed, not
    even as a count: its lead worker is told instead (by e-mail, once the check is
    committed), and may propose a consent. Every match is a read of that family's identity
    and is logged in its access report."""
    if not by.has_perm("families.create_family"):
        raise PermissionDenied
    matches = selectors.duplicate_candidates(
        first_name=first_name, last_name=last_name, date_of_birth=date_of_birth
    )
    visible = []
    for family in matches:
        access = family_access(by, family)
        if access.granted:
            visible.append(family)
        lead = selectors.lead_user(family)
        selectors.log_access(
            by, family, ["duplicate_check"], access, request, purpose="duplicate check"
        )
        if not access.granted and lead is not None:
            transaction.on_commit(functools.partial(_tell_lead_of_duplicate, lead, by, family))
    return visible


def _tell_lead_of_duplicate(lead: User, by: User, family: Family) -> None:
    organization = ", ".join(
        sorted({m.team.organization.name for m in by.practitioner.memberships.all()})
    )
    with translation.override(lead.preferred_language):
        send_mail(
            subject=_("A family you lead may be recorded again (%(ref)s)")
            % {"ref": family.reference},
            message=_(
                "%(who)s (%(organization)s) is recording a family with a parent of the same "
                "name and date of birth as a parent of family %(ref)s, which you lead. They "
                "were not told that this family exists. If it is the same family, you may "
                "propose a consent so that you can follow it together."
            )
            % {"who": by.full_name, "organization": organization, "ref": family.reference},
            from_email=None,
            recipient_list=[lead.email],
        )


# --- consent ----------------------------------------------------------------------------


def check_scan(upload) -> uploads.CheckedFile | None:
    """A signed form's scan: a PDF or an image, at most 5 MiB, by its content not its name."""
    if upload is None:
        return None
    return uploads.check_upload(upload, field="scan", max_bytes=SCAN_MAX_BYTES)


@transaction.atomic
def record_consent(
    *,
    by: User,
    family: Family,
    given_by: Caregiver,
    organizations: list[Organization],
    categories: list[str],
    purpose: str,
    method: str,
    valid_from: date | None = None,
    valid_until: date | None = None,
    witness: str = "",
    scan=None,
    request=None,
) -> Consent:
    """A circle member records the consent a family member gave."""
    _require(by, "families.record_consent", family)
    valid_from = valid_from or timezone.localdate()
    valid_until = valid_until or valid_from + CONSENT_DEFAULT_LENGTH
    errors: dict[str, str] = {}
    if given_by.family_id != family.id:
        errors["given_by"] = _("The person who consents must be a member of this family.")
    unknown = [c for c in categories if c not in Category.values]
    if unknown:
        errors["categories"] = _("Unknown category: %(codes)s.") % {"codes": ", ".join(unknown)}
    elif not categories:
        errors["categories"] = _("Choose at least one category of information.")
    if not organizations:
        errors["organizations"] = _("Choose at least one organization.")
    if valid_until < valid_from:
        errors["valid_until"] = _("The consent cannot end before it starts.")
    if method == ConsentMethod.VERBAL and not witness.strip():
        errors["witness"] = _("A verbal consent needs the name of its witness.")
    if method == ConsentMethod.SIGNED_FORM and scan is None:
        errors["scan"] = _("Upload the scan of the signed form.")
    if method not in ConsentMethod.values:
        errors["method"] = _("Unknown way of obtaining consent.")
    if errors:
        raise ValidationError(errors)
    checked_scan = check_scan(scan)
    consent = Consent(
        family=family,
        given_by=given_by,
        recorded_by=by,
        categories=join_codes(categories),
        purpose=purpose,
        valid_from=valid_from,
        valid_until=valid_until,
        method=method,
        witness=witness,
    )
    if checked_scan is not None:
        uploads.store(consent.scan, checked_scan)
    consent.full_clean()
    consent.save()
    consent.organizations.set(organizations)
    _event(
        by,
        Action.CREATED,
        consent,
        family,
        request,
        organizations=[str(o.id) for o in organizations],
        categories=categories,
    )
    forget_access(by)
    forget_shares()
    return consent


@transaction.atomic
def withdraw_consent(*, by: User, consent: Consent, reason: str = "", request=None) -> Consent:
    """Withdrawal takes effect at once: the next read by a partner no longer sees what it
    shared. The consent stays in the history, marked withdrawn."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    _require(by, "families.record_consent", consent.family)
    state = consent.state()
    if state not in CONSENT_TRANSITIONS["withdraw"]:
        raise IllegalTransition(
            _("This consent is %(state)s: it cannot be withdrawn.")
            % {"state": consent.get_state_display().lower()}
        )
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = by
    consent.withdrawal_reason = reason
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"])
    _event(by, Action.UPDATED, consent, consent.family, request, change="withdrawn")
    forget_access(by)
    forget_shares()
    return consent


# --- circle of care ---------------------------------------------------------------------


@transaction.atomic
def add_circle_member(
    *,
    by: User,
    family: Family,
    practitioner: Practitioner,
    team: Team,
    role: str = "",
    request=None,
) -> CircleMember:
    """A circle member brings in a practitioner (see enrol_in_circle for the consent rule)."""
    _require(by, "families.manage_circle", family)
    return enrol_in_circle(
        by=by, family=family, practitioner=practitioner, team=team, role=role, request=request
    )


@transaction.atomic
def enrol_in_circle(
    *,
    by: User,
    family: Family,
    practitioner: Practitioner,
    team: Team,
    role: str = "",
    request=None,
) -> CircleMember:
    """A practitioner joins the circle only under a consent in effect that covers their
    organization (or from the recording organization itself). Callers check who may bring
    them in: a circle member, or an accepted referral."""
    if not Membership.objects.filter(practitioner=practitioner, team=team).exists():
        raise ValidationError({"team": _("This practitioner is not a member of that team.")})
    if team.organization_id != family.recording_organization_id and not (
        Consent.objects.in_effect()
        .filter(family=family, organizations=team.organization_id)
        .exists()
    ):
        raise ValidationError(
            {
                "practitioner": _(
                    "No consent in effect covers %(org)s: record the family's consent first."
                )
                % {"org": team.organization.name}
            }
        )
    if family.circle.filter(practitioner=practitioner, left_at__isnull=True).exists():
        raise ValidationError({"practitioner": _("Already in the circle of care.")})
    member = CircleMember.objects.create(
        family=family, practitioner=practitioner, team=team, role=role
    )
    _event(by, Action.CREATED, member, family, request, practitioner=str(practitioner.id))
    forget_access(by)
    return member


@transaction.atomic
def leave_circle(*, by: User, family: Family, request=None) -> None:
    """A member leaves. The lead hands over first, so that the family always has one."""
    member = (
        CircleMember.objects.select_for_update()
        .filter(family=family, practitioner__user=by, left_at__isnull=True)
        .first()
    )
    if member is None:
        raise PermissionDenied
    if member.is_lead and family.circle.filter(left_at__isnull=True).count() > 1:
        raise IllegalTransition(_("Hand over the lead to another member before leaving."))
    member.left_at = timezone.now()
    member.is_lead = False
    member.save(update_fields=["left_at", "is_lead", "updated_at"])
    _event(by, Action.UPDATED, member, family, request, change="left")
    forget_access(by)


def _move_lead(
    *, by: User, family: Family, to: CircleMember, request=None
) -> tuple[CircleMember, CircleMember | None, dict]:
    """The one way the lead moves: the circle's rows locked, the old lead's flag cleared
    before the new one is set (the database allows one active lead per family), audited.
    Returns the new lead, the old one (None if there was none) and the locked members."""
    members = {
        m.pk: m
        for m in CircleMember.objects.select_for_update(of=("self",))
        .select_related("practitioner")
        .filter(family=family, left_at__isnull=True)
    }
    if to.pk not in members:
        raise ValidationError({"to": _("Choose a current member of the circle.")})
    old_lead = None
    for member in members.values():
        if member.is_lead and member.pk != to.pk:
            old_lead = member
            member.is_lead = False
            member.save(update_fields=["is_lead", "updated_at"])
    new_lead = members[to.pk]
    if not new_lead.is_lead:
        new_lead.is_lead = True
        new_lead.save(update_fields=["is_lead", "updated_at"])
        _event(by, Action.UPDATED, new_lead, family, request, change="became_lead")
    forget_access(by)
    return new_lead, old_lead, members


@transaction.atomic
def hand_over_lead(*, by: User, family: Family, to: CircleMember, request=None) -> CircleMember:
    _require(by, "families.hand_over_lead", family)
    new_lead, _old, _members = _move_lead(by=by, family=family, to=to, request=request)
    return new_lead


@dataclass(frozen=True)
class LeadHandOver:
    """What a hand-over on a referral did: who leads now, what moved, what was flagged."""

    new_lead: CircleMember
    old_lead: CircleMember | None
    reassigned: int
    flagged: int
    referrer_left: bool
    entry: TimelineEntry


@transaction.atomic
def take_over_lead_on_referral(
    *,
    by: User,
    family: Family,
    to: CircleMember,
    team: Team,
    reference: str,
    referrer: User | None = None,
    referrer_leaves: bool = False,
    request=None,
) -> LeadHandOver:
    """An accepted referral with hand-over: `to` (a member of the receiving team, already
    enrolled in the circle) becomes the lead. The caller (referrals.services.take_step)
    has checked that `by` may accept the referral for `team`.

    The old lead's open plan actions go to the new lead; where the new lead's access does
    not cover the plan, they stay where they are and are flagged in the timeline. The
    referrer stays in the circle as a partner, or leaves if they asked to when referring.
    The family's timeline says what happened."""
    new_lead, old_lead, members = _move_lead(by=by, family=family, to=to, request=request)
    referrer_member = None
    if referrer is not None:
        referrer_member = next(
            (m for m in members.values() if m.practitioner.user_id == referrer.id), None
        )
    leaving = (
        referrer_member
        if referrer_leaves and referrer_member is not None and referrer_member.pk != new_lead.pk
        else None
    )
    handing = [m for m in (old_lead, leaving) if m is not None]
    open_actions = list(
        PlanAction.objects.select_for_update().filter(
            family=family,
            owner__in=handing,
            status__in=[ActionStatus.TODO, ActionStatus.IN_PROGRESS],
        )
    )
    reassigned = flagged = 0
    new_user = new_lead.practitioner.user
    if (
        open_actions
        and new_user is not None
        and family_access(new_user, family).sees(Category.PLAN)
    ):
        for action in open_actions:
            before = _snapshot(action)
            action.owner = new_lead
            action.version += 1
            action.save(update_fields=["owner", "version", "updated_at"])
            _keep_change(by, family, action, before, _snapshot(action))
            _event(by, Action.UPDATED, action, family, request, change="owner_handed_over")
        reassigned = len(open_actions)
    else:
        flagged = len(open_actions)
    if leaving is not None:
        leaving.left_at = timezone.now()
        leaving.save(update_fields=["left_at", "updated_at"])
        _event(by, Action.UPDATED, leaving, family, request, change="left")
        forget_access(referrer)
    text = _("%(new)s (%(team)s) is now the lead worker, after referral %(ref)s.") % {
        "new": new_lead.practitioner,
        "team": team.name,
        "ref": reference,
    }
    if old_lead is not None:
        text += " " + _("%(old)s is no longer the lead worker.") % {"old": old_lead.practitioner}
    if leaving is not None:
        text += " " + _("%(who)s left the circle of care, as asked when referring.") % {
            "who": leaving.practitioner
        }
    elif referrer_member is not None and referrer_member.pk != new_lead.pk:
        text += " " + _("%(who)s stays in the circle of care as a partner.") % {
            "who": referrer_member.practitioner
        }
    if reassigned:
        text += " " + ngettext(
            "%(count)d open action of the plan now belongs to the new lead worker.",
            "%(count)d open actions of the plan now belong to the new lead worker.",
            reassigned,
        ) % {"count": reassigned}
    if flagged:
        text += " " + ngettext(
            "%(count)d open action of the plan could not be reassigned: the new lead "
            "worker's access does not cover the plan. Record a consent that covers it.",
            "%(count)d open actions of the plan could not be reassigned: the new lead "
            "worker's access does not cover the plan. Record a consent that covers it.",
            flagged,
        ) % {"count": flagged}
    entry = TimelineEntry(
        family=family,
        kind=EntryKind.EVENT,
        category=Category.IDENTITY,
        text=text,
        occurred_at=timezone.now(),
        author=by,
        author_team=team,
        visibility=Visibility.CIRCLE,
    )
    entry.full_clean()
    entry.save()
    _event(by, Action.CREATED, entry, family, request, category=Category.IDENTITY)
    return LeadHandOver(
        new_lead=new_lead,
        old_lead=old_lead,
        reassigned=reassigned,
        flagged=flagged,
        referrer_left=leaving is not None,
        entry=entry,
    )


# --- shared plan ------------------------------------------------------------------------


def _snapshot(obj) -> dict[str, Any]:
    data = model_to_dict(obj)
    return {
        k: (str(v) if v is not None and not isinstance(v, (int, bool)) else v)
        for k, v in data.items()
    }


def _keep_change(by, family, obj, before, after) -> None:
    PlanChange.objects.create(
        family=family,
        by=by,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        before=before,
        after=after,
    )


@transaction.atomic
def add_goal(
    *, by: User, family: Family, need: str, goal: str, category: str = Category.PLAN, request=None
) -> Goal:
    _require(by, "families.change_plan", family)
    if not family_access(by, family).sees(category):
        raise ValidationError({"category": _("You cannot write in a category you cannot see.")})
    item = Goal(family=family, need=need, goal=goal, category=category)
    item.full_clean()
    item.save()
    _keep_change(by, family, item, None, _snapshot(item))
    _event(by, Action.CREATED, item, family, request)
    return item


def _check_owner(family: Family, owner: CircleMember) -> None:
    if owner.family_id != family.id or owner.left_at is not None:
        raise ValidationError({"owner": _("The owner must be a current member of the circle.")})


@transaction.atomic
def add_action(
    *,
    by: User,
    goal: Goal,
    description: str,
    owner: CircleMember,
    due_date: date | None = None,
    request=None,
) -> PlanAction:
    family = goal.family
    _require(by, "families.change_plan", family)
    _check_owner(family, owner)
    action = PlanAction(
        goal=goal, family=family, description=description, owner=owner, due_date=due_date
    )
    action.full_clean()
    action.save()
    _keep_change(by, family, action, None, _snapshot(action))
    _event(by, Action.CREATED, action, family, request)
    return action


@transaction.atomic
def update_action(
    *, by: User, action: PlanAction, expected_version: int, request=None, **fields
) -> PlanAction:
    """Saves only if nobody saved since `expected_version` was read; otherwise Conflict,
    and the other person's change stays."""
    locked = PlanAction.objects.select_for_update().get(pk=action.pk)
    family = locked.family
    _require(by, "families.change_plan", family)
    if locked.version != expected_version:
        raise Conflict(
            _(
                "Someone else changed this action while you were editing it. "
                "Their version is shown; make your change again."
            )
        )
    if "owner" in fields:
        _check_owner(family, fields["owner"])
    if "status" in fields and fields["status"] not in ActionStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    before = _snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.full_clean()
    locked.save()
    _keep_change(by, family, locked, before, _snapshot(locked))
    _event(by, Action.UPDATED, locked, family, request, version=locked.version)
    return locked


@transaction.atomic
def plan_review(
    *,
    by: User,
    family: Family,
    planned_for: date,
    held_on: date | None = None,
    decisions: str = "",
    request=None,
) -> PlanReview:
    _require(by, "families.change_plan", family)
    review = PlanReview(
        family=family, planned_for=planned_for, held_on=held_on, decisions=decisions
    )
    review.full_clean()
    review.save()
    _keep_change(by, family, review, None, _snapshot(review))
    _event(by, Action.CREATED, review, family, request)
    return review


# --- timeline ---------------------------------------------------------------------------


@transaction.atomic
def add_entry(
    *,
    by: User,
    family: Family,
    kind: str,
    category: str,
    text: str,
    occurred_at=None,
    visibility: str = Visibility.CIRCLE,
    visit_outcome: str = "",
    visit_reason: str = "",
    request=None,
    programme_session: bool = False,
) -> TimelineEntry:
    """A circle member writes to the timeline, in a category their access covers. A
    programme session is written only with its enrolment (implementation.services)."""
    _require(by, "families.add_entry", family)
    access = family_access(by, family)
    if access.member is None:  # add_entry is for circle members: never true here
        raise PermissionDenied
    errors = {}
    if category not in Category.values:
        errors["category"] = _("Unknown category.")
    elif not access.sees(category):
        errors["category"] = _("You cannot write in a category you cannot see.")
    if (kind == EntryKind.PROGRAMME_SESSION) != programme_session:
        errors["kind"] = _("A programme session is recorded from the family's programmes.")
    if kind == EntryKind.HOME_VISIT and not visit_outcome:
        errors["visit_outcome"] = _(
            "Say whether the home visit was done, missed, rescheduled or refused."
        )
    if visit_outcome and visit_outcome != "done" and not visit_reason.strip():
        errors["visit_reason"] = _("Give the reason.")
    occurred_at = occurred_at or timezone.now()
    if occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = _("An entry records what happened: not a future date.")
    elif not is_in_range(occurred_at):
        errors["occurred_at"] = out_of_range_message(
            _("Date and time"), latest=timezone.localdate()
        )
    if errors:
        raise ValidationError(errors)
    entry = TimelineEntry(
        family=family,
        kind=kind,
        category=category,
        text=text,
        occurred_at=occurred_at,
        author=by,
        author_team=access.member.team,
        visibility=visibility,
        visit_outcome=visit_outcome if kind == EntryKind.HOME_VISIT else "",
        visit_reason=visit_reason,
    )
    entry.full_clean()
    entry.save()
    _event(by, Action.CREATED, entry, family, request, category=category)
    return entry


@transaction.atomic
def mark_entry_entered_in_error(
    *, by: User, entry: TimelineEntry, reason: str, request=None
) -> TimelineEntry:
    """An entry is corrected, never deleted: its author or the family's lead worker marks
    it "entered in error" with a reason. It leaves the everyday timeline, stays in the
    record's history and export, and the audit log keeps who did it."""
    if not by.has_perm("families.mark_entry_entered_in_error", entry):
        raise PermissionDenied(_("Only the author of the entry or the lead worker can do this."))
    entry = TimelineEntry.objects.select_for_update().select_related("family").get(pk=entry.pk)
    if entry.is_entered_in_error:
        raise IllegalTransition(_("This entry is already marked as entered in error."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the entry is in error.")})
    if len(reason) > ENTERED_IN_ERROR_REASON_MAX:
        raise ValidationError(
            {"reason": _("At most %(max)d characters.") % {"max": ENTERED_IN_ERROR_REASON_MAX}}
        )
    entry.entered_in_error_at = timezone.now()
    entry.entered_in_error_by = by
    entry.entered_in_error_reason = reason.strip()
    entry.full_clean()
    entry.save(
        update_fields=[
            "entered_in_error_at",
            "entered_in_error_by",
            "entered_in_error_reason",
            "updated_at",
        ]
    )
    _event(by, Action.UPDATED, entry, entry.family, request, correction="entered_in_error")
    return entry


# --- emergency access -------------------------------------------------------------------


def _check_emergency_reason(reason: str) -> None:
    if len(reason.strip()) < 20:
        raise ValidationError(
            {
                "reason": _(
                    "Explain in a sentence or two why a child's "
                    "safety is at stake (at least 20 characters)."
                )
            }
        )


@transaction.atomic
def open_emergency_access(
    *, by: User, family: Family, reason: str, request=None
) -> EmergencyAccess:
    """Break glass: a written reason, a few hours of access, a flag in the log, and the
    lead worker told by e-mail once the transaction holds."""
    if not by.has_perm("families.open_emergency_access"):
        raise PermissionDenied
    _check_emergency_reason(reason)
    grant = EmergencyAccess.objects.create(
        family=family,
        user=by,
        reason=reason.strip(),
        expires_at=timezone.now() + EMERGENCY_ACCESS_DURATION,
    )
    record_event(
        action=Action.EMERGENCY_ACCESS,
        actor=by,
        object_type="families.family",
        object_id=str(family.id),
        object_label=family.reference,
        request=request,
        purpose=reason.strip()[:300],
        details={"break_glass": True, "expires_at": grant.expires_at.isoformat()},
    )
    lead = selectors.lead_user(family)
    if lead is not None:
        transaction.on_commit(lambda: _notify_lead(lead, by, family, grant))
    forget_access(by)
    return grant


def record_emergency_attempt_on_unknown(*, by: User, family_id, reason: str, request=None):
    """Break glass on an id that names no family: answered like a real one (nobody learns
    what exists), and logged like one, so the attempt is seen by whoever reviews them."""
    if not by.has_perm("families.open_emergency_access"):
        raise PermissionDenied
    _check_emergency_reason(reason)
    record_event(
        action=Action.EMERGENCY_ACCESS,
        actor=by,
        object_type="families.family",
        object_id=str(family_id),
        request=request,
        purpose=reason.strip()[:300],
        details={"break_glass": True, "found": False},
    )


def _notify_lead(lead: User, opener: User, family: Family, grant: EmergencyAccess) -> None:
    with translation.override(lead.preferred_language):
        send_mail(
            subject=_("Emergency access to a family you lead (%(ref)s)")
            % {"ref": family.reference},
            message=_(
                "%(who)s opened emergency access to the record of family %(ref)s, until "
                "%(until)s, for this reason:\n\n%(reason)s\n\nThe access is in the family's "
                "access report."
            )
            % {
                "who": opener.full_name,
                "ref": family.reference,
                "until": timezone.localtime(grant.expires_at).strftime("%Y-%m-%d %H:%M"),
                "reason": grant.reason,
            },
            from_email=None,
            recipient_list=[lead.email],
        )
