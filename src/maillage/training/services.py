"""Every write of cross-training, as a verb: one transaction, permission checked, audit row
written. Bad input raises ValidationError naming the field and writes nothing; a change the
state machines forbid raises IllegalTransition (SessionFull when no place is left).
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core.errors import IllegalTransition
from maillage.core.models import User
from maillage.core.permissions import require
from maillage.core.tokens import join_codes
from maillage.core.transitions import check_transition
from maillage.directory.models import Team

from . import selectors
from .defaults import DEFAULT_ITEMS, DEFAULT_TOPICS
from .models import (
    HOLDS_A_PLACE,
    SCALE_MAX,
    SCALE_MIN,
    SESSION_TRANSITIONS,
    SIGN_UP_TRANSITIONS,
    Answer,
    HostActivity,
    ImmersionSession,
    Moment,
    Phase,
    Programme,
    ProgrammeTeam,
    QuestionnaireItem,
    SelfAssessment,
    SessionFull,
    SessionStatus,
    SignUp,
    SignUpStatus,
    Topic,
)


def _bilingual(french: str, english: str, field: str) -> tuple[str, str]:
    """A translatable item needs at least one of its two versions."""
    french, english = (french or "").strip(), (english or "").strip()
    if not (french or english):
        raise ValidationError({field: _("Write it in French, in English, or in both.")})
    return french, english


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _phase_on(programme: Programme, day: date) -> Phase | None:
    return programme.phases.filter(starts_on__lte=day, ends_on__gte=day).first()


def _lock_session(session: ImmersionSession) -> ImmersionSession:
    return ImmersionSession.objects.select_for_update().get(pk=session.pk)


def _lock_sign_up(sign_up: SignUp) -> SignUp:
    """The sign-up locked, with its session and person read afresh: the caller's copy of the
    session may be older than its start or its status."""
    return (
        SignUp.objects.select_for_update(of=("self",))
        .select_related("session__programme", "session__host_team", "practitioner")
        .get(pk=sign_up.pk)
    )


# --- programmes ---------------------------------------------------------------------------


@transaction.atomic
def create_programme(
    *,
    by: User,
    name: str,
    starts_on: date,
    teams: Iterable[Team],
    ends_on: date | None = None,
    description: str = "",
    topics: Sequence[tuple[str, str]] | None = None,
    items: Sequence[tuple[str, str]] | None = None,
    request: Any = None,
) -> Programme:
    """Coordinators run programmes. A programme brings together at least two teams; it
    starts with the default topics and questionnaire items unless others are given."""
    require(by, "training.create_programme")
    teams = list(dict.fromkeys(teams))
    if len(teams) < 2:
        raise ValidationError({"teams": _("A programme brings together at least two teams.")})
    programme = Programme(
        name=(name or "").strip(),
        description=(description or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        coordinator=by,
    )
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    programme.full_clean()
    programme.save()
    ProgrammeTeam.objects.bulk_create(ProgrammeTeam(programme=programme, team=t) for t in teams)
    topic_rows = [
        _bilingual(fr, en, "topics") for fr, en in (DEFAULT_TOPICS if topics is None else topics)
    ]
    Topic.objects.bulk_create(
        Topic(programme=programme, position=i, name_fr=fr, name_en=en)
        for i, (fr, en) in enumerate(topic_rows, start=1)
    )
    item_rows = [
        _bilingual(fr, en, "items") for fr, en in (DEFAULT_ITEMS if items is None else items)
    ]
    QuestionnaireItem.objects.bulk_create(
        QuestionnaireItem(programme=programme, position=i, text_fr=fr, text_en=en)
        for i, (fr, en) in enumerate(item_rows, start=1)
    )
    record_event(
        action=Action.CREATED,
        actor=by,
        obj=programme,
        request=request,
        details={
            "event": "training_programme_created",
            "teams": [str(t.pk) for t in teams],
            "topics": len(topic_rows),
            "items": len(item_rows),
        },
    )
    return programme


@transaction.atomic
def add_teams(*, by: User, programme: Programme, teams: Iterable[Team], request: Any = None) -> int:
    """A programme grows over its phases: coordinators add participating teams."""
    require(by, "training.manage_programme", programme)
    present = set(programme.programme_teams.values_list("team_id", flat=True))
    new = [t for t in dict.fromkeys(teams) if t.pk not in present]
    if not new:
        raise ValidationError({"teams": _("Choose at least one team not yet in the programme.")})
    ProgrammeTeam.objects.bulk_create(ProgrammeTeam(programme=programme, team=t) for t in new)
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=programme,
        request=request,
        details={"event": "training_teams_added", "teams": [str(t.pk) for t in new]},
    )
    return len(new)


@transaction.atomic
def add_phase(
    *,
    by: User,
    programme: Programme,
    starts_on: date,
    ends_on: date,
    name_fr: str = "",
    name_en: str = "",
    request: Any = None,
) -> Phase:
    """Phases follow one another within the programme's period and never overlap; sessions
    already scheduled in the phase's dates join it."""
    require(by, "training.manage_programme", programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    if starts_on < programme.starts_on or (programme.ends_on and ends_on > programme.ends_on):
        raise ValidationError({"starts_on": _("A phase falls within the programme's period.")})
    overlapping = programme.phases.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).first()
    if overlapping is not None:
        raise ValidationError(
            {
                "starts_on": _("These dates overlap %(phase)s (%(start)s – %(end)s).")
                % {
                    "phase": overlapping.name,
                    "start": date_format(overlapping.starts_on),
                    "end": date_format(overlapping.ends_on),
                }
            }
        )
    number = (programme.phases.aggregate(last=Max("number"))["last"] or 0) + 1
    phase = Phase(
        programme=programme,
        number=number,
        name_fr=(name_fr or "").strip(),
        name_en=(name_en or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    phase.full_clean()
    phase.save()
    low, high = _day_bounds(starts_on, ends_on)
    joined = programme.sessions.filter(starts_at__gte=low, starts_at__lt=high).update(phase=phase)
    record_event(
        action=Action.CREATED,
        actor=by,
        obj=phase,
        request=request,
        details={
            "event": "training_phase_added",
            "programme": str(programme.pk),
            "sessions": joined,
        },
    )
    return phase


@transaction.atomic
def add_topic(
    *, by: User, programme: Programme, name_fr: str = "", name_en: str = "", request: Any = None
) -> Topic:
    require(by, "training.manage_programme", programme)
    fr, en = _bilingual(name_fr, name_en, "name_fr")
    position = (programme.topics.aggregate(last=Max("position"))["last"] or 0) + 1
    topic = Topic(programme=programme, position=position, name_fr=fr, name_en=en)
    topic.full_clean()
    topic.save()
    record_event(
        action=Action.CREATED,
        actor=by,
        obj=topic,
        request=request,
        details={"event": "training_topic_added", "programme": str(programme.pk)},
    )
    return topic


@transaction.atomic
def add_questionnaire_item(
    *, by: User, programme: Programme, text_fr: str = "", text_en: str = "", request: Any = None
) -> QuestionnaireItem:
    """The coordinator's own statements join the defaults. Questionnaires answered earlier
    keep the items they had; the change is paired item by item."""
    require(by, "training.manage_programme", programme)
    fr, en = _bilingual(text_fr, text_en, "text_fr")
    position = (programme.questionnaire_items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = QuestionnaireItem(programme=programme, position=position, text_fr=fr, text_en=en)
    item.full_clean()
    item.save()
    record_event(
        action=Action.CREATED,
        actor=by,
        obj=item,
        request=request,
        details={"event": "training_item_added", "programme": str(programme.pk)},
    )
    return item


# --- sessions -----------------------------------------------------------------------------


@transaction.atomic
def schedule_session(
    *,
    by: User,
    programme: Programme,
    host_team: Team,
    starts_at: datetime,
    duration_minutes: int,
    capacity: int,
    topics: Iterable[Topic] = (),
    agenda: str = "",
    host_activities: Iterable[str] = (),
    host_activities_details: str = "",
    location: str = "",
    request: Any = None,
) -> ImmersionSession:
    """A session is hosted by one of the programme's teams, in the future, within the
    programme's period, on the programme's own topics."""
    require(by, "training.schedule_session", programme)
    if not programme.programme_teams.filter(team=host_team).exists():
        raise ValidationError({"host_team": _("The host team must take part in the programme.")})
    if starts_at is None or timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": _("Give the date and time of the session.")})
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("The session must start in the future.")})
    day = timezone.localtime(starts_at).date()
    if day < programme.starts_on or (programme.ends_on and day > programme.ends_on):
        raise ValidationError(
            {
                "starts_at": _("The session must fall within the programme's period.")
                if programme.ends_on
                else _("The session cannot start before the programme.")
            }
        )
    topics = list(dict.fromkeys(topics))
    if any(t.programme_id != programme.pk for t in topics):
        raise ValidationError({"topics": _("Choose topics of this programme.")})
    activities = list(host_activities)
    unknown = sorted(set(activities) - set(HostActivity.values))
    if unknown:
        raise ValidationError(
            {"host_activities": _("Unknown activity: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    default_location = ", ".join(
        part for part in (host_team.site, host_team.organization.address) if part
    )
    session = ImmersionSession(
        programme=programme,
        phase=_phase_on(programme, day),
        host_team=host_team,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        capacity=capacity,
        agenda=(agenda or "").strip(),
        host_activities=join_codes(activities),
        host_activities_details=(host_activities_details or "").strip(),
        location=(location or "").strip() or default_location,
        created_by=by,
    )
    session.full_clean()
    session.save()
    session.topics.set(topics)
    record_event(
        action=Action.CREATED,
        actor=by,
        obj=session,
        request=request,
        details={
            "event": "immersion_scheduled",
            "programme": str(programme.pk),
            "host_team": str(host_team.pk),
            "capacity": capacity,
        },
    )
    return session


@transaction.atomic
def cancel_session(*, by: User, session: ImmersionSession, request: Any = None) -> None:
    """A scheduled session may be cancelled; calendars learn it from the next invitation."""
    require(by, "training.schedule_session", session.programme)
    locked = _lock_session(session)
    check_transition(SESSION_TRANSITIONS, locked.status, SessionStatus.CANCELLED)
    locked.status = SessionStatus.CANCELLED
    locked.sequence += 1
    locked.save(update_fields=["status", "sequence", "updated_at"])
    session.status, session.sequence = locked.status, locked.sequence
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=locked,
        request=request,
        details={"event": "immersion_cancelled"},
    )


def _require_open_for_sign_ups(session: ImmersionSession) -> None:
    if session.status != SessionStatus.SCHEDULED:
        raise IllegalTransition(
            _("This session is %(status)s: sign-ups are closed.")
            % {"status": session.get_status_display().lower()}
        )
    if session.starts_at <= timezone.now():
        raise IllegalTransition(_("This session has already started: sign-ups are closed."))


@transaction.atomic
def sign_up(
    *, by: User, session: ImmersionSession, team: Team | None = None, request: Any = None
) -> SignUp:
    """A practitioner of a participating team (not the host) takes a place for themselves.

    The session row is locked while places are counted, so that two people signing up at
    once can never take more places than the session has: the second one is told it is full.
    """
    require(by, "training.sign_up", session)
    locked = _lock_session(session)
    _require_open_for_sign_ups(locked)
    if locked.sign_ups.filter(practitioner__user=by, status__in=HOLDS_A_PLACE).exists():
        raise IllegalTransition(_("You are already signed up for this session."))
    teams = selectors.visiting_teams(fetched_by=by, session=session)
    if team is None:
        team = teams[0]
    elif team not in teams:
        raise ValidationError({"team": _("Choose one of your teams taking part in the programme.")})
    taken = locked.sign_ups.filter(status__in=HOLDS_A_PLACE).count()
    if taken >= locked.capacity:
        raise SessionFull(
            ngettext(
                "This session is full: its only place is taken. Ask %(host)s about their "
                "next session, or choose another one.",
                "This session is full: all %(count)s places are taken. Ask %(host)s about "
                "their next session, or choose another one.",
                locked.capacity,
            )
            % {"count": locked.capacity, "host": session.host_team.name}
        )
    created = SignUp(session=locked, practitioner=by.practitioner, team=team)
    created.full_clean()
    created.save()
    record_event(
        action=Action.CREATED,
        actor=by,
        obj=created,
        request=request,
        details={"event": "immersion_sign_up", "session": str(session.pk), "team": str(team.pk)},
    )
    return created


@transaction.atomic
def cancel_sign_up(*, by: User, sign_up: SignUp, request: Any = None) -> SignUp:
    """Participants may give their place back until the session starts."""
    require(by, "training.cancel_sign_up", sign_up)
    locked = _lock_sign_up(sign_up)
    check_transition(SIGN_UP_TRANSITIONS, locked.status, SignUpStatus.CANCELLED)
    _require_open_for_sign_ups(locked.session)
    locked.status = SignUpStatus.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=locked,
        request=request,
        details={"event": "immersion_sign_up_cancelled"},
    )
    return locked


def _decide(*, by: User, sign_up: SignUp, target: str, reason: str, request: Any) -> SignUp:
    require(by, "training.manage_sign_ups", sign_up.session)
    locked = _lock_sign_up(sign_up)
    check_transition(SIGN_UP_TRANSITIONS, locked.status, target)
    if locked.session.status != SessionStatus.SCHEDULED:
        raise IllegalTransition(
            _("This session is %(status)s: sign-ups can no longer be decided.")
            % {"status": locked.session.get_status_display().lower()}
        )
    locked.status = target
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decline_reason = (reason or "").strip()
    locked.save(
        update_fields=["status", "decided_by", "decided_at", "decline_reason", "updated_at"]
    )
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=locked,
        request=request,
        details={"event": f"immersion_sign_up_{target}"},
    )
    return locked


@transaction.atomic
def confirm_sign_up(*, by: User, sign_up: SignUp, request: Any = None) -> SignUp:
    """The host team's lead (or a coordinator) confirms a waiting sign-up."""
    return _decide(
        by=by, sign_up=sign_up, target=SignUpStatus.CONFIRMED, reason="", request=request
    )


@transaction.atomic
def decline_sign_up(*, by: User, sign_up: SignUp, reason: str = "", request: Any = None) -> SignUp:
    """The host team's lead (or a coordinator) declines a waiting sign-up, freeing its place."""
    return _decide(
        by=by, sign_up=sign_up, target=SignUpStatus.DECLINED, reason=reason, request=request
    )


@transaction.atomic
def record_attendance(
    *, by: User, session: ImmersionSession, present: Collection[Any], request: Any = None
) -> int:
    """Once the session has started, the host's lead (or a coordinator) records who of the
    confirmed participants came; the session is then held. Recording again corrects it,
    except that someone who has answered the after questionnaire stays recorded as present.
    Returns the number present."""
    require(by, "training.manage_sign_ups", session)
    locked = _lock_session(session)
    if locked.status == SessionStatus.CANCELLED:
        raise IllegalTransition(_("This session is cancelled: there is no attendance to record."))
    if locked.starts_at > timezone.now():
        raise IllegalTransition(_("Attendance is recorded once the session has started."))
    confirmed = list(locked.sign_ups.filter(status=SignUpStatus.CONFIRMED))
    present_ids = {str(p) for p in present}
    unknown = present_ids - {str(s.pk) for s in confirmed}
    if unknown:
        raise ValidationError(
            {"present": _("Only confirmed participants of this session can be marked present.")}
        )
    answered_after = set(
        SelfAssessment.objects.filter(sign_up__in=confirmed, moment=Moment.AFTER).values_list(
            "sign_up_id", flat=True
        )
    )
    now = timezone.now()
    changes = {}
    for s in confirmed:
        attended = str(s.pk) in present_ids
        if s.pk in answered_after and not attended:
            raise ValidationError(
                {
                    "present": _(
                        "%(name)s has already answered the after questionnaire: they stay "
                        "recorded as present."
                    )
                    % {"name": s.practitioner}
                }
            )
        if s.attended != attended:
            changes[str(s.pk)] = [s.attended, attended]
        s.attended = attended
        s.attendance_recorded_at = now
    SignUp.objects.bulk_update(confirmed, ["attended", "attendance_recorded_at", "updated_at"])
    if locked.status == SessionStatus.SCHEDULED:
        check_transition(SESSION_TRANSITIONS, locked.status, SessionStatus.HELD)
        locked.status = SessionStatus.HELD
        locked.save(update_fields=["status", "updated_at"])
    session.status = locked.status
    count = sum(1 for s in confirmed if s.attended)
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=locked,
        request=request,
        details={
            "event": "immersion_attendance",
            "present": count,
            "absent": len(confirmed) - count,
            "changes": changes,
        },
    )
    return count


# --- self-assessments ---------------------------------------------------------------------


@transaction.atomic
def answer_self_assessment(
    *,
    by: User,
    sign_up: SignUp,
    moment: str,
    answers: Mapping[Any, Any],
    request: Any = None,
) -> SelfAssessment:
    """A practitioner answers their own questionnaire, once per moment: before the session
    starts, and after it once their attendance is recorded. Every statement the programme
    asks gets a whole number from 1 to 5.

    The audit row says that a questionnaire was answered, never what was answered."""
    require(by, "training.answer_self_assessment", sign_up)
    locked = _lock_sign_up(sign_up)
    session = locked.session
    if moment == Moment.BEFORE:
        if locked.status not in HOLDS_A_PLACE:
            raise IllegalTransition(
                _("This sign-up is %(status)s: there is no immersion to prepare.")
                % {"status": locked.get_status_display().lower()}
            )
        if session.status != SessionStatus.SCHEDULED or session.starts_at <= timezone.now():
            raise IllegalTransition(_("The before questionnaire closes when the session starts."))
    elif moment == Moment.AFTER:
        if locked.attended is not True:
            raise IllegalTransition(
                _("The after questionnaire opens once your attendance is recorded.")
            )
    else:
        raise ValidationError({"moment": _("Unknown moment.")})
    if locked.assessments.filter(moment=moment).exists():
        raise IllegalTransition(
            _("You have already answered this questionnaire (%(moment)s).")
            % {"moment": Moment(moment).label.lower()}
        )
    items = list(session.programme.questionnaire_items.filter(is_active=True))
    given = {str(key): value for key, value in answers.items()}
    errors: dict[str, str] = {}
    values: dict[Any, int] = {}
    for item in items:
        raw = given.pop(str(item.pk), None)
        try:
            value = int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            value = None
        if value is None or not SCALE_MIN <= value <= SCALE_MAX:
            message = _("“%(item)s”: choose a number from %(low)s to %(high)s.")
            errors[f"item_{item.pk}"] = message % {
                "item": item.text,
                "low": SCALE_MIN,
                "high": SCALE_MAX,
            }
        else:
            values[item.pk] = value
    if given:
        errors["answers"] = _("Some answers are not statements of this questionnaire.")
    if errors:
        raise ValidationError(errors)
    assessment = SelfAssessment(sign_up=locked, moment=moment, submitted_at=timezone.now())
    assessment.full_clean()
    assessment.save()
    Answer.objects.bulk_create(
        Answer(assessment=assessment, item_id=item_id, value=value)
        for item_id, value in values.items()
    )
    record_event(
        action=Action.CREATED,
        actor=by,
        obj=assessment,
        request=request,
        details={"event": "self_assessment_answered", "moment": moment, "items": len(values)},
    )
    return assessment
