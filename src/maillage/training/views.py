"""Cross-training pages: programmes, their sessions, sign-ups, attendance, self-assessments,
effects, pairing suggestions and the network before and after a phase. HTTP only: the rules
are in services.py (writes), selectors.py (reads) and permissions.py (who)."""

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core.errors import IllegalTransition
from maillage.core.forms import add_service_errors
from maillage.core.permissions import require

from . import calendar, charts, indicators, network, pairing, selectors, services
from .forms import (
    AddTeamsForm,
    AttendanceForm,
    DeclineForm,
    ItemForm,
    PhaseForm,
    ProgrammeForm,
    SelfAssessmentForm,
    SessionForm,
    TopicForm,
)
from .models import HOLDS_A_PLACE, Moment, SessionStatus, SignUpStatus

PAGE_SIZE = 20


def handles_conflicts(view):
    """A change the state machine forbids (a full session too) answers 409 with the reason,
    never a silent no-op."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except IllegalTransition as error:
            return render(
                request,
                "training/conflict.html",
                {"reason": str(error), "back": request.META.get("HTTP_REFERER", "")},
                status=409,
            )

    return wrapper


def _form_page(request, *, title, form, back, intro="", submit=None, status=200, extra=None):
    context = {
        "title": title,
        "form": form,
        "back": back,
        "intro": intro,
        "submit": submit or _("Save"),
        **(extra or {}),
    }
    return render(request, "training/form_page.html", context, status=status)


# --- programmes ---------------------------------------------------------------------------


@login_required
def programme_list(request):
    page = Paginator(selectors.programme_list(fetched_by=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "training/programme_list.html",
        {"page": page, "can_create": request.user.has_perm("training.create_programme")},
    )


@login_required
def programme_create(request):
    require(request.user, "training.create_programme")
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = services.create_programme(
                by=request.user,
                name=data["name"],
                description=data["description"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                teams=data["teams"],
                topics=data["topics"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The programme is created."))
            return redirect("training:programme", programme_id=programme.id)
    return _form_page(
        request,
        title=_("New cross-training programme"),
        form=form,
        back=reverse("training:programmes"),
        intro=_(
            "Teams from different sectors spend time in each other's settings, to know each "
            "other, communicate and refer more, and speak the same language about substances, "
            "pregnancy, children and parenting."
        ),
        submit=_("Create the programme"),
    )


@login_required
def programme_detail(request, programme_id):
    user = request.user
    programme = selectors.access_programme(user, programme_id)
    when = request.GET.get("when", "upcoming")
    if when not in selectors.SESSION_PERIODS:
        when = "upcoming"
    now = timezone.now()
    sessions = selectors.sessions_in_period(programme, period=when, now=now)
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "programme": programme,
        "teams": selectors.programme_teams(programme),
        "topics": selectors.topics_of(programme),
        "phases": selectors.phases_of(programme),
        "items": selectors.questionnaire_items_of(programme, active_only=True),
        "page": page,
        "when": when,
        "mine": selectors.places_held_by(fetched_by=user, sessions=page),
        "now": now,
        "can_manage": user.has_perm("training.manage_programme", programme),
        "can_schedule": user.has_perm("training.schedule_session", programme),
        "can_view_pairings": user.has_perm("training.view_pairings", programme),
        "can_view_effects": user.has_perm("training.view_effects", programme),
        "min_respondents": indicators.MIN_RESPONDENTS,
        "window_months": indicators.WINDOW_MONTHS,
    }
    if context["can_view_effects"]:
        changes = indicators.self_assessment_change(fetched_by=user, programme=programme)
        rates = indicators.pair_rates(fetched_by=user, programme=programme)
        context.update(
            changes=changes,
            change_chart=mark_safe(charts.change_chart(changes)),  # noqa: S308 - escaped there
            rates=rates,
            rate_charts=[
                {
                    "measure": measure,
                    "label": indicators.measure_label(measure),
                    "groups": [g for g in rates if g.measure == measure],
                    "svg": mark_safe(  # noqa: S308 - every text is escaped by charts.py
                        charts.rates_chart(
                            [g for g in rates if g.measure == measure],
                            chart_id=f"rates-{measure}",
                        )
                    ),
                }
                for measure in indicators.MEASURES
            ],
        )
        context.update(_phase_view(request, programme, context["phases"]))
    return render(request, "training/programme_detail.html", context)


def _phase_view(request, programme, phases) -> dict:
    """The phase whose before/after maps are shown: the one asked for, else the latest that
    has started."""
    if not phases:
        return {}
    today = timezone.localdate()
    wanted = request.GET.get("phase", "")
    phase = next((p for p in phases if str(p.pk) == wanted), None)
    if phase is None:
        started = [p for p in phases if p.starts_on <= today]
        phase = started[-1] if started else phases[0]
    return {
        "phase": phase,
        "phase_change": network.phase_change(programme=programme, phase=phase, today=today),
    }


@login_required
@handles_conflicts
def programme_manage(request, programme_id):
    """Teams, phases, topics and questionnaire statements of a programme."""
    programme = selectors.access_programme(
        request.user, programme_id, perm="training.manage_programme"
    )
    forms = {
        "teams": AddTeamsForm(programme=programme, prefix="teams"),
        "phase": PhaseForm(prefix="phase"),
        "topic": TopicForm(prefix="topic"),
        "item": ItemForm(prefix="item"),
    }
    if request.method == "POST":
        kind = request.POST.get("add", "")
        if kind not in forms:
            raise Http404
        form_class = type(forms[kind])
        kwargs = {"programme": programme} if kind == "teams" else {}
        form = form_class(request.POST, prefix=kind, **kwargs)
        forms[kind] = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if kind == "teams":
                    services.add_teams(
                        by=request.user, programme=programme, teams=data["teams"], request=request
                    )
                    messages.success(request, _("The teams are added."))
                elif kind == "phase":
                    services.add_phase(
                        by=request.user, programme=programme, request=request, **data
                    )
                    messages.success(request, _("The phase is added."))
                elif kind == "topic":
                    services.add_topic(
                        by=request.user, programme=programme, request=request, **data
                    )
                    messages.success(request, _("The topic is added."))
                else:
                    services.add_questionnaire_item(
                        by=request.user, programme=programme, request=request, **data
                    )
                    messages.success(request, _("The statement is added."))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("training:programme_manage", programme_id=programme.id)
    return render(
        request,
        "training/programme_manage.html",
        {
            "programme": programme,
            "forms": forms,
            "phases": selectors.phases_of(programme),
            "topics": selectors.topics_of(programme),
            "items": selectors.questionnaire_items_of(programme),
            "teams": selectors.programme_teams(programme),
        },
    )


@login_required
def pairings(request, programme_id):
    programme = selectors.access_programme(
        request.user, programme_id, perm="training.view_pairings"
    )
    suggestions = pairing.suggest_pairs(fetched_by=request.user, programme=programme)
    page = Paginator(suggestions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/pairings.html",
        {
            "programme": programme,
            "page": page,
            "rank_offset": page.start_index() - 1 if suggestions else 0,
            "can_schedule": request.user.has_perm("training.schedule_session", programme),
        },
    )


@login_required
@require_GET
def effects_csv(request, programme_id):
    programme = selectors.access_programme(request.user, programme_id, perm="training.view_effects")
    changes = indicators.self_assessment_change(fetched_by=request.user, programme=programme)
    rates = indicators.pair_rates(fetched_by=request.user, programme=programme)
    record_event(
        action=Action.EXPORTED,
        actor=request.user,
        obj=programme,
        request=request,
        details={"event": "training_effects_csv"},
    )
    response = HttpResponse(
        indicators.effects_csv(changes, rates), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="cross-training-effects-{stamp}.csv"'
    return response


@login_required
@require_GET
def programme_map_svg(request, programme_id):
    """The programme's organizations and their links on a day: the start of a phase
    (moment=before) or its end (moment=after); without a phase, today."""
    programme = selectors.access_programme(request.user, programme_id, perm="training.view_effects")
    until = None
    phase_id = request.GET.get("phase")
    if phase_id:
        phase = next((p for p in selectors.phases_of(programme) if str(p.pk) == phase_id), None)
        if phase is None:
            raise Http404
        start, end = network.phase_days(phase)
        until = start if request.GET.get("moment") == "before" else end
    graph = network.programme_graph(fetched_by=request.user, programme=programme, until=until)
    response = HttpResponse(network.render_svg(graph), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- sessions -----------------------------------------------------------------------------


@login_required
def session_create(request, programme_id):
    programme = selectors.access_programme(
        request.user, programme_id, perm="training.schedule_session"
    )
    # From a pairing suggestion: the host is proposed, the coordinator may change it.
    host = request.GET.get("host", "")
    initial = {"host_team": host} if _is_uuid(host) else {}
    form = SessionForm(request.POST or None, programme=programme, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.schedule_session(
                by=request.user, programme=programme, request=request, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The session is scheduled."))
            return redirect("training:session", session_id=session.id)
    return _form_page(
        request,
        title=_("Schedule an immersion session"),
        form=form,
        back=reverse("training:programme", args=[programme.id]),
        intro=_(
            "Visitors from the programme's other teams spend time with the host team: its "
            "meetings, home visits, intake. Practitioners sign up; the host's lead confirms."
        ),
        submit=_("Schedule the session"),
        extra={"programme": programme},
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
def session_detail(request, session_id):
    user = request.user
    session = selectors.access_session(user, session_id)
    taken = selectors.places_taken(session)
    mine = selectors.my_sign_up(fetched_by=user, session=session)
    now = timezone.now()
    is_open = session.status == SessionStatus.SCHEDULED and session.starts_at > now
    can_manage = user.has_perm("training.manage_sign_ups", session)
    holds = mine is not None and mine.status in HOLDS_A_PLACE
    may_visit = user.has_perm("training.sign_up", session)
    answered = selectors.answered_moments(fetched_by=user, sign_up=mine)
    context = {
        "session": session,
        "programme": session.programme,
        "topics": selectors.session_topics(session),
        "taken": taken,
        "places_left": max(session.capacity - taken, 0),
        "mine": mine,
        "is_open": is_open,
        "may_visit": may_visit,
        "can_sign_up": is_open and not holds and may_visit,
        "visiting_teams": selectors.visiting_teams(fetched_by=user, session=session)
        if is_open and not holds
        else [],
        "can_manage": can_manage,
        "can_cancel_session": session.status == SessionStatus.SCHEDULED
        and user.has_perm("training.schedule_session", session.programme),
        "can_record_attendance": can_manage
        and session.status != SessionStatus.CANCELLED
        and session.starts_at <= now,
        "before_open": holds and is_open and Moment.BEFORE not in answered,
        "after_open": mine is not None and mine.attended is True and Moment.AFTER not in answered,
        "answered": answered,
        "decline_form": DeclineForm(),
    }
    if can_manage:
        context["sign_ups"] = list(selectors.sign_ups_of(fetched_by=user, session=session))
    return render(request, "training/session_detail.html", context)


@login_required
@require_GET
def session_invitation(request, session_id):
    session = selectors.access_session(request.user, session_id)
    confirmed = selectors.confirmed_participants(session)
    data = calendar.session_invitation(
        session,
        confirmed=confirmed,
        url=request.build_absolute_uri(reverse("training:session", args=[session.id])),
    )
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    stamp = timezone.localtime(session.starts_at).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="immersion-{stamp}.ics"'
    return response


@login_required
@require_POST
@handles_conflicts
def session_sign_up(request, session_id):
    session = selectors.access_session(request.user, session_id)
    team = None
    team_id = request.POST.get("team", "")
    if team_id:
        team = selectors.team_by_id(team_id)
        if team is None:
            messages.error(request, _("Choose one of your teams taking part in the programme."))
            return redirect("training:session", session_id=session.id)
    try:
        services.sign_up(by=request.user, session=session, team=team, request=request)
    except ValidationError as error:
        for errors in error.message_dict.values():
            for message in errors:
                messages.error(request, message)
        return redirect("training:session", session_id=session.id)
    messages.success(
        request,
        _("You are signed up. The host team's lead will confirm your place."),
    )
    return redirect("training:session", session_id=session.id)


@login_required
@require_POST
@handles_conflicts
def session_cancel(request, session_id):
    session = selectors.access_session(request.user, session_id)
    services.cancel_session(by=request.user, session=session, request=request)
    messages.success(request, _("The session is cancelled."))
    return redirect("training:session", session_id=session.id)


@login_required
@handles_conflicts
def attendance(request, session_id):
    session = selectors.access_session(request.user, session_id)
    require(request.user, "training.manage_sign_ups", session)
    confirmed = list(
        selectors.sign_ups_of(
            fetched_by=request.user, session=session, status=SignUpStatus.CONFIRMED
        )
    )
    form = AttendanceForm(request.POST or None, sign_ups=confirmed)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.record_attendance(
                by=request.user,
                session=session,
                present=form.cleaned_data["present"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Attendance is recorded: %(count)s present.",
                    "Attendance is recorded: %(count)s present.",
                    count,
                )
                % {"count": count},
            )
            return redirect("training:session", session_id=session.id)
    return _form_page(
        request,
        title=_("Record attendance"),
        form=form,
        back=reverse("training:session", args=[session.id]),
        intro=_(
            "Tick the confirmed participants who came. They can then answer the after "
            "questionnaire."
        ),
        submit=_("Record attendance"),
        extra={"programme": session.programme, "session": session},
    )


# --- sign-ups -----------------------------------------------------------------------------


@login_required
@require_POST
@handles_conflicts
def sign_up_confirm(request, sign_up_id):
    sign_up = selectors.access_sign_up(request.user, sign_up_id, perm="training.manage_sign_ups")
    services.confirm_sign_up(by=request.user, sign_up=sign_up, request=request)
    messages.success(request, _("%(name)s's place is confirmed.") % {"name": sign_up.practitioner})
    return redirect("training:session", session_id=sign_up.session_id)


@login_required
@require_POST
@handles_conflicts
def sign_up_decline(request, sign_up_id):
    sign_up = selectors.access_sign_up(request.user, sign_up_id, perm="training.manage_sign_ups")
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.decline_sign_up(by=request.user, sign_up=sign_up, reason=reason, request=request)
    messages.success(request, _("%(name)s's sign-up is declined.") % {"name": sign_up.practitioner})
    return redirect("training:session", session_id=sign_up.session_id)


@login_required
@require_POST
@handles_conflicts
def sign_up_cancel(request, sign_up_id):
    sign_up = selectors.access_sign_up(request.user, sign_up_id, perm="training.cancel_sign_up")
    services.cancel_sign_up(by=request.user, sign_up=sign_up, request=request)
    messages.success(request, _("Your place is given back."))
    return redirect("training:session", session_id=sign_up.session_id)


@login_required
@handles_conflicts
def self_assessment(request, sign_up_id, moment):
    """The practitioner's own questionnaire: the form while it is open, their answers once
    given. Nobody else reaches this page."""
    if moment not in Moment.values:
        raise Http404
    sign_up = selectors.access_sign_up(
        request.user, sign_up_id, perm="training.answer_self_assessment"
    )
    session = sign_up.session
    answers = selectors.own_answers(fetched_by=request.user, sign_up=sign_up)[moment]
    form = None
    if not answers:
        items = selectors.questionnaire_items_of(session.programme, active_only=True)
        form = SelfAssessmentForm(request.POST or None, items=items)
        if request.method == "POST" and form.is_valid():
            try:
                services.answer_self_assessment(
                    by=request.user,
                    sign_up=sign_up,
                    moment=moment,
                    answers=form.answers,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Thank you: your answers are recorded."))
                return redirect("training:mine")
    return render(
        request,
        "training/self_assessment.html",
        {
            "sign_up": sign_up,
            "session": session,
            "programme": session.programme,
            "moment": Moment(moment),
            "form": form,
            "answers": answers,
        },
    )


@login_required
def my_immersions(request):
    page = Paginator(selectors.my_sign_ups(fetched_by=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "training/my_immersions.html",
        {"page": page, "now": timezone.now(), "holding": HOLDS_A_PLACE},
    )
