"""Every write of programmes in practice: one transaction, the rule checked, the audit row
written. Bad input raises ValidationError naming the field and writes nothing; a state the
transition table forbids raises IllegalTransition.

Writes about a family (its enrolment, its sessions) are logged on the family itself, so the
family's access report shows them.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core.errors import Conflict, IllegalTransition
from maillage.core.models import User
from maillage.core.permissions import require
from maillage.core.tokens import join_codes
from maillage.core.transitions import check_transition
from maillage.directory.models import Organization, Practitioner, Sector, Team
from maillage.families import services as family_services
from maillage.families.models import Category, EntryKind, Family, Visibility
from maillage.reviews.models import ACTION_TRANSITIONS, Situation, SituationKind

from . import tallies
from .figures import session_fidelity
from .models import (
    ENROLMENT_TRANSITIONS,
    FACTOR_TRANSITIONS,
    FIDELITY_MAX,
    FIDELITY_MIN,
    OPEN_ENROLMENT,
    SUSTAINABILITY_MAX,
    SUSTAINABILITY_MIN,
    Adaptation,
    Departure,
    Domain,
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
    Stage,
    Supervision,
    SustainabilityAnswer,
    SustainabilityAssessment,
    SustainabilityItem,
    TrainingKind,
    TrainingRecord,
)

# Programme data in a family's record belongs to this category of consent.
PROGRAMME_CATEGORY = Category.PLAN
FAMILY = "families.family"


def _event(by: User, action: str, obj, request=None, **details) -> None:
    record_event(action=action, actor=by, obj=obj, request=request, details=details)


def _family_event(by: User, action: str, obj, family: Family, request=None, **details) -> None:
    record_event(
        action=action,
        actor=by,
        object_type=FAMILY,
        object_id=str(family.id),
        object_label=family.reference,
        request=request,
        details={"what": obj._meta.model_name, "id": str(obj.pk), **details},
    )


def _required(value: str, field: str, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = _("This field is required.")
    return value


# --- programmes and sites -----------------------------------------------------------------


def _clean_components(components: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for component in components:
        component = " ".join((component or "").split())
        if component and component not in cleaned:
            cleaned.append(component)
    return cleaned


@transaction.atomic
def create_programme(
    *,
    by: User,
    name_fr: str,
    name_en: str,
    planned_dose: int,
    core_components: Iterable[str],
    description: str = "",
    eligibility: str = "",
    completion_threshold: int | None = None,
    request=None,
) -> Programme:
    """A coordinator describes an evidence-based programme the network delivers."""
    require(by, "implementation.manage_programme")
    errors: dict = {}
    name_fr = _required(name_fr, "name_fr", errors)
    name_en = _required(name_en, "name_en", errors)
    components = _clean_components(core_components)
    if not components:
        errors["core_components"] = _("Name at least one core component, one per line.")
    if not planned_dose or planned_dose < 1:
        errors["planned_dose"] = _("The planned dose is at least one session.")
    elif completion_threshold is not None and not 1 <= completion_threshold <= planned_dose:
        errors["completion_threshold"] = _(
            "The threshold is between one session and the planned dose."
        )
    if errors:
        raise ValidationError(errors)
    programme = Programme(
        name_fr=name_fr,
        name_en=name_en,
        description=description.strip(),
        planned_dose=planned_dose,
        completion_threshold=completion_threshold,
        core_components=components,
        eligibility=eligibility.strip(),
        created_by=by,
    )
    programme.full_clean()
    programme.save()
    _event(by, Action.CREATED, programme, request)
    return programme


@transaction.atomic
def set_completion_threshold(
    *, by: User, programme: Programme, threshold: int | None, request=None
) -> Programme:
    """The coordinator says from how many sessions a family counts as having completed."""
    require(by, "implementation.manage_programme")
    if threshold is not None and not 1 <= threshold <= programme.planned_dose:
        raise ValidationError(
            {
                "completion_threshold": _(
                    "The threshold is between one session and the planned dose."
                )
            }
        )
    programme.completion_threshold = threshold
    programme.save(update_fields=["completion_threshold", "updated_at"])
    _event(by, Action.UPDATED, programme, request, completion_threshold=threshold)
    return programme


@transaction.atomic
def add_site(*, by: User, programme: Programme, team: Team, request=None) -> Site:
    """A team of the directory becomes a site delivering the programme (once)."""
    require(by, "implementation.manage_site")
    if Site.objects.filter(programme=programme, team=team).exists():
        raise ValidationError({"team": _("This team is already a site of the programme.")})
    site = Site.objects.create(programme=programme, team=team)
    _event(by, Action.CREATED, site, request, programme=str(programme.id))
    return site


@transaction.atomic
def record_stage(
    *,
    by: User,
    site: Site,
    stage: str,
    started_on: date,
    finished_on: date | None = None,
    activities_planned: int = 0,
    activities_done: int = 0,
    notes: str = "",
    request=None,
) -> SiteStage:
    """Starts, updates or finishes a stage of a site. A stage cannot finish before it
    started, nor count more activities done than planned; the dates are not in the future."""
    require(by, "implementation.manage_site")
    errors: dict = {}
    today = timezone.localdate()
    if stage not in Stage.values:
        errors["stage"] = _("Unknown stage.")
    if started_on is None:
        errors["started_on"] = _("This field is required.")
    elif started_on > today:
        errors["started_on"] = _("A stage starts today at the latest: record it when it starts.")
    if finished_on is not None and started_on is not None and finished_on < started_on:
        errors["finished_on"] = _("A stage cannot finish before it started (%(start)s).") % {
            "start": started_on.isoformat()
        }
    elif finished_on is not None and finished_on > today:
        errors["finished_on"] = _("A stage cannot finish in the future.")
    if activities_planned < 0 or activities_done < 0:
        errors["activities_done"] = _("Counts of activities are not negative.")
    elif activities_done > activities_planned:
        errors["activities_done"] = _("More activities done than planned: plan them first.")
    if errors:
        raise ValidationError(errors)
    row = SiteStage.objects.select_for_update().filter(site=site, stage=stage).first()
    created = row is None
    row = row or SiteStage(site=site, stage=stage)
    row.started_on = started_on
    row.finished_on = finished_on
    row.activities_planned = activities_planned
    row.activities_done = activities_done
    row.notes = notes.strip()
    row.full_clean()
    row.save()
    _event(by, Action.CREATED if created else Action.UPDATED, row, request, stage=stage)
    return row


# --- practitioners: training, supervision, departures --------------------------------------


def _check_in_team(site: Site, practitioner: Practitioner, field: str = "practitioner") -> None:
    if not practitioner.memberships.filter(team_id=site.team_id).exists():
        raise ValidationError({field: _("This practitioner is not a member of the site's team.")})


@transaction.atomic
def record_training(
    *,
    by: User,
    site: Site,
    practitioner: Practitioner,
    kind: str,
    on: date,
    hours: Decimal | float = 0,
    topic: str = "",
    request=None,
) -> TrainingRecord:
    """The lead of the site's team (or a coordinator) records a training, a booster, a
    supervised case or a certification of one of the team's practitioners."""
    require(by, "implementation.record_training", site)
    errors: dict = {}
    if kind not in TrainingKind.values:
        errors["kind"] = _("Unknown kind of training.")
    if on is None or on > timezone.localdate():
        errors["on"] = _("Record a training once it has taken place: not a future date.")
    if Decimal(str(hours)) < 0 or Decimal(str(hours)) > 500:
        errors["hours"] = _("Hours are between 0 and 500.")
    if errors:
        raise ValidationError(errors)
    _check_in_team(site, practitioner)
    record = TrainingRecord(
        site=site,
        practitioner=practitioner,
        kind=kind,
        on=on,
        hours=Decimal(str(hours)),
        topic=topic.strip(),
        recorded_by=by,
    )
    record.full_clean()
    record.save()
    _event(by, Action.CREATED, record, request, site=str(site.id))
    return record


@transaction.atomic
def record_supervision(
    *,
    by: User,
    site: Site,
    practitioner: Practitioner,
    on: date,
    minutes: int,
    reflective: bool = False,
    cases_discussed: int = 0,
    request=None,
) -> Supervision:
    require(by, "implementation.record_training", site)
    errors: dict = {}
    if on is None or on > timezone.localdate():
        errors["on"] = _("Record a supervision once it has taken place: not a future date.")
    if not minutes or not 1 <= minutes <= 600:
        errors["minutes"] = _("A supervision lasts between 1 and 600 minutes.")
    if cases_discussed < 0:
        errors["cases_discussed"] = _("The number of cases is not negative.")
    if errors:
        raise ValidationError(errors)
    _check_in_team(site, practitioner)
    row = Supervision(
        site=site,
        practitioner=practitioner,
        supervisor=by,
        on=on,
        minutes=minutes,
        reflective=reflective,
        cases_discussed=cases_discussed,
    )
    row.full_clean()
    row.save()
    _event(by, Action.CREATED, row, request, site=str(site.id))
    return row


@transaction.atomic
def record_departure(
    *, by: User, site: Site, practitioner: Practitioner, left_on: date, request=None
) -> Departure:
    """Dates the departure of a practitioner trained at the site who left its team: the
    site's trained capacity loses them from that day (without a date, from the day their
    membership ended). Recording it again corrects the date."""
    require(by, "implementation.record_training", site)
    first_trained = (
        TrainingRecord.objects.filter(site=site, practitioner=practitioner)
        .order_by("on")
        .values_list("on", flat=True)
        .first()
    )
    if first_trained is None:
        raise ValidationError(
            {"practitioner": _("This practitioner has no training recorded at the site.")}
        )
    if left_on is None or left_on > timezone.localdate():
        raise ValidationError({"left_on": _("A departure is recorded once it happened.")})
    if left_on < first_trained:
        raise ValidationError(
            {
                "left_on": _("A departure comes after the first training (%(date)s).")
                % {"date": first_trained.isoformat()}
            }
        )
    row, created = Departure.objects.update_or_create(
        site=site, practitioner=practitioner, defaults={"left_on": left_on}
    )
    _event(
        by,
        Action.CREATED if created else Action.UPDATED,
        row,
        request,
        site=str(site.id),
        left_on=left_on.isoformat(),
    )
    return row


# --- families: enrolment and sessions -------------------------------------------------------


def _check_family_work(by: User, family: Family, site: Site) -> None:
    """The families app's rule on the family (404 when not visible is the caller's: it
    found the family through family_for_write), then the site: the practitioner works
    there."""
    if not by.has_perm("implementation.record_programme_work", family):
        raise PermissionDenied
    if not by.has_perm("implementation.work_at_site", site):
        raise ValidationError({"site": _("You do not work in a team of this site.")})


@transaction.atomic
def enrol_family(
    *,
    by: User,
    family: Family,
    site: Site,
    referred_on: date,
    offered_on: date | None = None,
    enrolled_on: date | None = None,
    eligible: bool = True,
    request=None,
) -> Enrolment:
    """Records a family's way into the programme: referred, then (when given) offered and
    enrolled, in that order of dates. A family has one open enrolment per programme."""
    _check_family_work(by, family, site)
    errors: dict = {}
    today = timezone.localdate()
    if referred_on is None:
        errors["referred_on"] = _("This field is required.")
    elif referred_on > today:
        errors["referred_on"] = _("Not a future date.")
    if offered_on is not None and referred_on is not None and offered_on < referred_on:
        errors["offered_on"] = _("The offer comes on or after the referral.")
    if enrolled_on is not None:
        if offered_on is None:
            errors["offered_on"] = _("A family is offered the programme before it is enrolled.")
        elif enrolled_on < offered_on:
            errors["enrolled_on"] = _("Enrolment comes on or after the offer.")
        elif enrolled_on > today:
            errors["enrolled_on"] = _("Not a future date.")
    if Enrolment.objects.filter(
        programme_id=site.programme_id, family=family, status__in=OPEN_ENROLMENT
    ).exists():
        errors["site"] = _(
            "This family is already enrolled in this programme: continue that enrolment."
        )
    if errors:
        raise ValidationError(errors)
    status = EnrolmentStatus.REFERRED
    if offered_on:
        status = EnrolmentStatus.OFFERED
    if enrolled_on:
        status = EnrolmentStatus.ENROLLED
    enrolment = Enrolment(
        programme_id=site.programme_id,
        site=site,
        family=family,
        status=status,
        eligible=eligible,
        referred_on=referred_on,
        offered_on=offered_on,
        enrolled_on=enrolled_on,
        recorded_by=by,
    )
    try:
        with transaction.atomic():
            enrolment.save()
            tallies.recount_enrolment(None, tallies.figured(enrolment))
    except IntegrityError:  # a colleague enrolled the family at the same moment
        raise ValidationError(
            {"site": _("This family is already enrolled in this programme.")}
        ) from None
    _family_event(by, Action.CREATED, enrolment, family, request, status=status)
    return enrolment


@transaction.atomic
def move_enrolment(
    *,
    by: User,
    enrolment: Enrolment,
    to: str,
    on: date,
    exit_reason: str = "",
    version: int | None = None,
    request=None,
) -> Enrolment:
    """Moves an enrolment along its transition table (offered, enrolled, completed, exited
    with a reason). A version older than the saved one is a Conflict."""
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    family = locked.family
    _check_family_work(by, family, locked.site)
    if version is not None and version != locked.version:
        raise Conflict(_("Someone changed this enrolment meanwhile: reload the page."))
    check_transition(ENROLMENT_TRANSITIONS, locked.status, to)
    before = tallies.figured(locked)
    errors: dict = {}
    last = max(d for d in (locked.referred_on, locked.offered_on, locked.enrolled_on) if d)
    if on is None or on > timezone.localdate():
        errors["on"] = _("Not a future date.")
    elif on < last:
        errors["on"] = _("This date comes before the enrolment's previous step (%(date)s).") % {
            "date": last.isoformat()
        }
    if to == EnrolmentStatus.EXITED and exit_reason not in ExitReason.values:
        errors["exit_reason"] = _("Say why the family left the programme.")
    if errors:
        raise ValidationError(errors)
    if to == EnrolmentStatus.OFFERED:
        locked.offered_on = on
    elif to == EnrolmentStatus.ENROLLED:
        locked.enrolled_on = on
    elif to in (EnrolmentStatus.COMPLETED, EnrolmentStatus.EXITED):
        locked.ended_on = on
        locked.exit_reason = exit_reason if to == EnrolmentStatus.EXITED else ""
    locked.status = to
    locked.version += 1
    # Only what a step changes: the session counts on the enrolment (tallies.py) are written
    # by a session's record, under this same lock, and never by this save.
    locked.save(
        update_fields=[
            "status",
            "offered_on",
            "enrolled_on",
            "ended_on",
            "exit_reason",
            "version",
            "updated_at",
        ]
    )
    tallies.recount_enrolment(before, tallies.figured(locked))
    _family_event(by, Action.UPDATED, locked, family, request, status=to)
    return locked


@transaction.atomic
def record_session(
    *,
    by: User,
    enrolment: Enrolment,
    held_on: date,
    attended: bool = True,
    components: Iterable[str] = (),
    fidelity: Mapping[str, int | None] | None = None,
    rated_by: str = "",
    note: str = "",
    request=None,
) -> ProgrammeSession:
    """A session with an enrolled family: a timeline entry of the kind "programme session"
    (written by the families app, so it follows the family's rules and log), the components
    covered and, per core component, the adherence rated 1 to 5. The first session moves the
    enrolment to "in sessions". Nothing is written when any field is wrong."""
    family = enrolment.family
    site = enrolment.site
    _check_family_work(by, family, site)
    programme = enrolment.programme
    components = list(components)
    rated: dict[str, int] = {k: v for k, v in (fidelity or {}).items() if v is not None}
    errors: dict = {}
    # The enrolment as it stands, locked until the session is written: a step taken since
    # the caller read it (an exit) refuses the session instead of being undone by it.
    enrolment.status, enrolment.version = (
        Enrolment.objects.select_for_update(no_key=True)
        .values_list("status", "version")
        .get(pk=enrolment.pk)
    )
    if enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.IN_SESSIONS):
        raise IllegalTransition(
            _("Sessions are recorded for an enrolled family (this one is “%(status)s”).")
            % {"status": enrolment.get_status_display()}
        )
    if held_on is None:
        errors["held_on"] = _("This field is required.")
    elif enrolment.enrolled_on and held_on < enrolment.enrolled_on:
        errors["held_on"] = _("A session cannot come before the family's enrolment (%(date)s).") % {
            "date": enrolment.enrolled_on.isoformat()
        }
    elif held_on > timezone.localdate():
        errors["held_on"] = _("A session is recorded once held: not a future date.")
    unknown = [c for c in components if c not in programme.core_components]
    if unknown:
        errors["components"] = _("Not a core component of the programme: %(names)s.") % {
            "names": ", ".join(unknown)
        }
    for component, score in rated.items():
        if component not in programme.core_components:
            errors["fidelity"] = _("Not a core component of the programme: %(names)s.") % {
                "names": component
            }
            continue
        field = f"fidelity_{programme.core_components.index(component)}"
        if not isinstance(score, int) or not FIDELITY_MIN <= score <= FIDELITY_MAX:
            errors[field] = _(
                "Fidelity to “%(component)s” is rated from %(low)s to %(high)s, not %(score)s."
            ) % {"component": component, "low": FIDELITY_MIN, "high": FIDELITY_MAX, "score": score}
    if rated and not attended:
        errors["attended"] = _("A session the family did not come to is not rated.")
    if rated and rated_by not in RatedBy.values:
        errors["rated_by"] = _("Say who rated the session: the practitioner or the supervisor.")
    if errors:
        raise ValidationError(errors)
    text = note.strip() or (
        _("Programme session: %(programme)s") % {"programme": programme.name}
        if attended
        else _("Programme session missed: %(programme)s") % {"programme": programme.name}
    )
    occurred_at = timezone.make_aware(datetime.combine(held_on, time(12, 0)))
    entry = family_services.add_entry(
        by=by,
        family=family,
        kind=EntryKind.PROGRAMME_SESSION,
        category=PROGRAMME_CATEGORY,
        text=text,
        occurred_at=min(occurred_at, timezone.now()),
        visibility=Visibility.CIRCLE,
        request=request,
        programme_session=True,
    )
    session = ProgrammeSession.objects.create(
        enrolment=enrolment,
        entry=entry,
        site=site,
        practitioner=by.practitioner,
        held_on=held_on,
        attended=attended,
        components=[c for c in programme.core_components if c in components],
        rated_by=rated_by if rated else "",
        fidelity=session_fidelity(list(rated.values())),
    )
    FidelityRating.objects.bulk_create(
        FidelityRating(session=session, component=c, score=s) for c, s in rated.items()
    )
    tallies.count_session(session)
    if attended and enrolment.status == EnrolmentStatus.ENROLLED:
        tallies.change_enrolment(
            enrolment.pk, status=EnrolmentStatus.IN_SESSIONS, version=enrolment.version + 1
        )
        enrolment.status = EnrolmentStatus.IN_SESSIONS
        enrolment.version += 1
    _family_event(by, Action.CREATED, session, family, request, attended=attended)
    return session


# --- adaptations ------------------------------------------------------------------------------


@transaction.atomic
def record_adaptation(
    *,
    by: User,
    programme: Programme,
    made_on: date,
    what: str,
    why: str,
    made_by: str,
    planned: bool = False,
    component: str = "",
    site: Site | None = None,
    request=None,
) -> Adaptation:
    require(by, "implementation.record_adaptation", site)
    errors: dict = {}
    what = _required(what, "what", errors)
    why = _required(why, "why", errors)
    made_by = _required(made_by, "made_by", errors)
    if component and component not in programme.core_components:
        errors["component"] = _("Not a core component of the programme.")
    if made_on is None or made_on > timezone.localdate():
        errors["made_on"] = _("Not a future date.")
    if site is not None and site.programme_id != programme.id:
        errors["site"] = _("This site delivers another programme.")
    if errors:
        raise ValidationError(errors)
    row = Adaptation.objects.create(
        programme=programme,
        site=site,
        made_on=made_on,
        what=what,
        why=why,
        made_by=made_by,
        planned=planned,
        component=component,
        recorded_by=by,
    )
    _event(by, Action.CREATED, row, request)
    return row


# --- sustainability -------------------------------------------------------------------------


@transaction.atomic
def save_sustainability_item(
    *,
    by: User,
    domain: str,
    text_fr: str,
    text_en: str,
    item: SustainabilityItem | None = None,
    is_active: bool = True,
    request=None,
) -> SustainabilityItem:
    """The coordinator writes or rewords a statement of the self-assessment."""
    require(by, "implementation.edit_sustainability_items")
    errors: dict = {}
    if domain not in Domain.values:
        errors["domain"] = _("Unknown domain.")
    text_fr = _required(text_fr, "text_fr", errors)
    text_en = _required(text_en, "text_en", errors)
    if errors:
        raise ValidationError(errors)
    created = item is None
    if item is None:
        last = SustainabilityItem.objects.order_by("-position").first()
        item = SustainabilityItem(position=(last.position + 1) if last else 1)
    moved = not created and item.domain != domain
    item.domain, item.text_fr, item.text_en, item.is_active = domain, text_fr, text_en, is_active
    item.full_clean()
    item.save()
    if moved:  # the answers to it now count in another domain
        tallies.score_assessments(
            SustainabilityAnswer.objects.filter(item=item).values("assessment_id")
        )
    _event(by, Action.CREATED if created else Action.UPDATED, item, request)
    return item


@transaction.atomic
def answer_sustainability(
    *,
    by: User,
    site: Site,
    year: int,
    scores: Mapping[str, int | None],
    request=None,
) -> SustainabilityAssessment:
    """A member of the site's team answers the year's self-assessment: every statement in
    use, each from 1 to 7. Answering again the same year replaces their answers."""
    require(by, "implementation.answer_sustainability", site)
    items = list(SustainabilityItem.objects.filter(is_active=True))
    errors: dict = {}
    if not 2000 <= year <= timezone.localdate().year:
        errors["year"] = _("Not a valid year.")
    unknown = set(scores) - {str(item.id) for item in items}
    if unknown:
        errors["scores"] = _("Not a statement in use: %(ids)s.") % {
            "ids": ", ".join(sorted(unknown))[:300]
        }
    for item in items:
        score = scores.get(str(item.id))
        if score is None or not SUSTAINABILITY_MIN <= int(score) <= SUSTAINABILITY_MAX:
            errors[f"item_{item.id}"] = _("Rate “%(item)s” from %(low)s to %(high)s.") % {
                "item": item.text,
                "low": SUSTAINABILITY_MIN,
                "high": SUSTAINABILITY_MAX,
            }
    if errors:
        raise ValidationError(errors)
    assessment, _created = SustainabilityAssessment.objects.get_or_create(
        site=site, year=year, respondent=by
    )
    assessment.answers.all().delete()
    SustainabilityAnswer.objects.bulk_create(
        SustainabilityAnswer(assessment=assessment, item=item, score=int(scores[str(item.id)] or 0))
        for item in items
    )
    tallies.score_assessments([assessment.id])
    _event(by, Action.CREATED, assessment, request, year=year)
    return assessment


# --- barriers and facilitators --------------------------------------------------------------


def _clean_factor(polarity, category, title, heard_in, heard_on, sectors) -> dict:
    errors: dict = {}
    if polarity not in Polarity.values:
        errors["polarity"] = _("Say whether it is a barrier or a facilitator.")
    if category not in FactorCategory.values:
        errors["category"] = _("Choose one of the four categories.")
    _required(title, "title", errors)
    if heard_in not in HeardIn.values:
        errors["heard_in"] = _("Say where it was heard.")
    if heard_on is None or heard_on > timezone.localdate():
        errors["heard_on"] = _("Not a future date.")
    unknown = [s for s in sectors if s not in Sector.values]
    if unknown:
        errors["sectors"] = _("Unknown sector.")
    return errors


@transaction.atomic
def add_factor(
    *,
    by: User,
    polarity: str,
    category: str,
    title: str,
    heard_in: str,
    heard_on: date,
    description: str = "",
    teams: Iterable[Team] = (),
    sectors: Iterable[str] = (),
    programme: Programme | None = None,
    request=None,
) -> Factor:
    """Anyone of the network notes a barrier or a facilitator they heard of."""
    require(by, "implementation.add_to_register")
    sectors = list(sectors)
    teams = list(teams)
    errors = _clean_factor(polarity, category, title, heard_in, heard_on, sectors)
    if errors:
        raise ValidationError(errors)
    sectors = sorted({*sectors, *(t.organization.sector for t in teams)})
    factor = Factor.objects.create(
        polarity=polarity,
        category=category,
        title=title.strip(),
        description=description.strip(),
        heard_in=heard_in,
        heard_on=heard_on,
        sectors=join_codes(sectors),
        programme=programme,
        recorded_by=by,
    )
    factor.teams.set(teams)
    _event(by, Action.CREATED, factor, request)
    return factor


@transaction.atomic
def file_malfunction(
    *,
    by: User,
    situation: Situation,
    category: str = FactorCategory.ORGANIZATIONAL,
    programme: Programme | None = None,
    request=None,
) -> Factor:
    """The moderator files a malfunction analysed at a review meeting into the register, in
    one step: a barrier heard in a Cooperation Malfunction Review, with the malfunction the
    group named (already de-identified by the review) and the sectors involved. Once per
    situation."""
    require(by, "reviews.moderate", situation)
    analysis = getattr(situation, "analysis", None)
    if situation.kind != SituationKind.MALFUNCTION or analysis is None:
        raise IllegalTransition(_("Only a malfunction analysed at a meeting can be filed."))
    if Factor.objects.filter(situation=situation).exists():
        raise IllegalTransition(_("This malfunction is already in the register."))
    if category not in FactorCategory.values:
        raise ValidationError({"category": _("Choose one of the four categories.")})
    factor = Factor.objects.create(
        polarity=Polarity.BARRIER,
        category=category,
        title=situation.title,
        description=analysis.malfunction,
        heard_in=HeardIn.REVIEW,
        heard_on=timezone.localdate(analysis.meeting.starts_at),
        sectors=situation.sectors,
        programme=programme,
        situation=situation,
        recorded_by=by,
    )
    _event(by, Action.CREATED, factor, request, situation=str(situation.id))
    return factor


@transaction.atomic
def move_factor(*, by: User, factor: Factor, to: str, request=None) -> Factor:
    """A coordinator follows an entry: being addressed, closed (once every action on it is
    closed), or reopened."""
    require(by, "implementation.manage_register")
    locked = Factor.objects.select_for_update().get(pk=factor.pk)
    check_transition(FACTOR_TRANSITIONS, locked.status, to)
    if to == FactorStatus.CLOSED and any(not a.is_closed for a in locked.actions.all()):
        raise IllegalTransition(_("Close or drop its improvement actions first."))
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    _event(by, Action.UPDATED, locked, request, status=to)
    return locked


@transaction.atomic
def add_factor_action(
    *,
    by: User,
    factor: Factor,
    description: str,
    due_date: date,
    owner_organization: Organization | None = None,
    request=None,
) -> FactorAction:
    require(by, "implementation.manage_register")
    errors: dict = {}
    description = _required(description, "description", errors)
    if due_date is None:
        errors["due_date"] = _("This field is required.")
    if factor.status == FactorStatus.CLOSED:
        errors["description"] = _("Reopen the entry before adding an action.")
    if errors:
        raise ValidationError(errors)
    action = FactorAction.objects.create(
        factor=factor,
        description=description,
        due_date=due_date,
        owner_organization=owner_organization,
    )
    if factor.status == FactorStatus.OPEN:
        factor.status = FactorStatus.BEING_ADDRESSED
        factor.save(update_fields=["status", "updated_at"])
    _event(by, Action.CREATED, action, request, factor=str(factor.id))
    return action


@transaction.atomic
def move_factor_action(*, by: User, action: FactorAction, to: str, request=None) -> FactorAction:
    """The reviews' improvement-action state machine: open → in progress → done or dropped."""
    require(by, "implementation.manage_register")
    locked = FactorAction.objects.select_for_update().get(pk=action.pk)
    check_transition(ACTION_TRANSITIONS, locked.status, to)
    locked.status = to
    locked.closed_at = timezone.now() if locked.is_closed else None
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    _event(by, Action.UPDATED, locked, request, status=to)
    return locked
