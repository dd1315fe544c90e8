"""Review pages: groups, meetings and their agenda, situations, the five questions,
improvement actions, minutes, invitations and statistics. HTTP only: the rules are in
services.py (writes), selectors.py (reads) and permissions.py (who)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core.errors import IllegalTransition
from maillage.core.forms import add_service_errors
from maillage.core.permissions import require
from maillage.core.tokens import split_codes

from . import agenda as agenda_module
from . import calendar, minutes, selectors, services, statistics
from .forms import (
    ActionStatusForm,
    AnalysisForm,
    AttendanceForm,
    FollowUpForm,
    ImprovementActionForm,
    MeetingForm,
    ModeratorForm,
    ParticipantForm,
    PeriodForm,
    ReviewGroupForm,
    RoundTableForm,
    SituationForm,
    SlotForm,
)
from .models import SituationStatus

PAGE_SIZE = 20


def handles_conflicts(view):
    """A change the state machine forbids answers 409 with the reason, never a silent no-op."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except IllegalTransition as error:
            return render(
                request,
                "reviews/conflict.html",
                {"reason": str(error), "back": request.META.get("HTTP_REFERER", "")},
                status=409,
            )

    return wrapper


def _on_the_day(meeting) -> None:
    """The pages of what happens at a meeting open on its day: ahead of it, the reason (409)."""
    if meeting.is_open:
        services.require_meeting_day(meeting)


def _form_page(request, *, title, form, back, intro="", submit=None, status=200, extra=None):
    context = {
        "title": title,
        "form": form,
        "back": back,
        "intro": intro,
        "submit": submit or _("Save"),
        **(extra or {}),
    }
    return render(request, "reviews/form_page.html", context, status=status)


# --- groups -----------------------------------------------------------------------------


@login_required
def group_list(request):
    groups = Paginator(selectors.groups_visible_to(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    managed = selectors.network_groups_to_manage(fetched_by=request.user)
    return render(
        request,
        "reviews/group_list.html",
        {
            "page": groups,
            "managed": managed[:50] if managed is not None else None,
            "can_create": request.user.has_perm("reviews.create_group"),
        },
    )


@login_required
def group_create(request):
    require(request.user, "reviews.create_group")
    form = ReviewGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.create_group(
                by=request.user,
                name=data["name"],
                description=data["description"],
                organizations=data["organizations"],
                moderator=data["moderator_email"],
                participants=data["participant_emails"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The review group is created."))
            return redirect("reviews:group_manage", group_id=group.id)
    return _form_page(
        request,
        title=_("New review group"),
        form=form,
        back=reverse("reviews:groups"),
        intro=_(
            "A review group brings the carers of several organizations together to review, "
            "without blame and without naming anyone, how their cooperation works."
        ),
        submit=_("Create the group"),
    )


@login_required
def group_detail(request, group_id):
    group = selectors.access_group_by_id(request.user, group_id)
    is_moderator = request.user.has_perm("reviews.moderate", group)
    past = Paginator(selectors.past_meetings_of(group), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/group_detail.html",
        {
            "group": group,
            "is_moderator": is_moderator,
            "can_manage": request.user.has_perm("reviews.manage_group", group),
            "moderator": selectors.moderator_of(group),
            "organizations": list(selectors.member_organizations(group)),
            "upcoming": list(selectors.upcoming_meetings(group)[:10]),
            "queue": list(selectors.situation_queue(group)[:50]),
            "mine": list(selectors.situations_submitted_by(request.user, group)[:20]),
            "open_actions": list(selectors.open_actions(group)[:50]),
            "today": timezone.localdate(),
            "page": past,
        },
    )


@login_required
@handles_conflicts
def group_manage(request, group_id):
    """Membership of a group: coordinators and the moderator manage it. Coordinators see
    who is in it, not what is said in it."""
    group = selectors.access_group_by_id(request.user, group_id, perm="reviews.manage_group")
    organizations = selectors.member_organizations(group)
    participant_form = ParticipantForm(organizations=organizations, prefix="participant")
    moderator_form = ModeratorForm(prefix="moderator")
    if request.method == "POST":
        try:
            if "add_participant" in request.POST:
                participant_form = ParticipantForm(
                    request.POST, organizations=organizations, prefix="participant"
                )
                if participant_form.is_valid():
                    services.add_participant(
                        by=request.user,
                        group=group,
                        user=participant_form.cleaned_data["email"],
                        organization=participant_form.cleaned_data["organization"],
                        request=request,
                    )
                    messages.success(request, _("The participant is added."))
                    return redirect("reviews:group_manage", group_id=group.id)
            elif "appoint_moderator" in request.POST:
                moderator_form = ModeratorForm(request.POST, prefix="moderator")
                if moderator_form.is_valid():
                    services.appoint_moderator(
                        by=request.user,
                        group=group,
                        user=moderator_form.cleaned_data["email"],
                        request=request,
                    )
                    messages.success(request, _("The moderator is appointed."))
                    return redirect("reviews:group_manage", group_id=group.id)
            elif "remove" in request.POST:
                user = selectors.member_by_id(group, request.POST.get("remove"))
                if user is None:
                    raise Http404
                services.remove_participant(
                    by=request.user, group=group, user=user, request=request
                )
                messages.success(request, _("The participant is removed."))
                return redirect("reviews:group_manage", group_id=group.id)
        except ValidationError as error:
            target = moderator_form if "appoint_moderator" in request.POST else participant_form
            if target.is_bound:
                add_service_errors(target, error)
            else:
                messages.error(request, " ".join(error.messages))
    return render(
        request,
        "reviews/group_manage.html",
        {
            "group": group,
            "members": selectors.members_of(group),
            "organizations": organizations,
            "participant_form": participant_form,
            "moderator_form": moderator_form,
            "can_appoint": request.user.has_perm("reviews.create_group"),
            "is_member": request.user.has_perm("reviews.view_group_content", group),
        },
    )


# --- meetings ---------------------------------------------------------------------------


@login_required
def meeting_schedule(request, group_id):
    group = selectors.access_group_by_id(request.user, group_id)
    require(request.user, "reviews.moderate", group)
    form = MeetingForm(
        request.POST or None,
        organizations=selectors.member_organizations(group),
        proposed=selectors.propose_host(group),
        usual_time=selectors.usual_meeting_time(group),
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.schedule_meeting(
                by=request.user, group=group, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting is scheduled."))
            return redirect("reviews:meeting", meeting_id=meeting.id)
    return _form_page(
        request,
        title=_("Schedule a meeting"),
        form=form,
        back=reverse("reviews:group", args=[group.id]),
        intro=_(
            "The venue rotates between member organizations: the one that hosted least "
            "recently is proposed. You may choose another."
        ),
        submit=_("Schedule"),
        extra={"group": group},
    )


@login_required
@handles_conflicts
def meeting_edit(request, meeting_id):
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    require(request.user, "reviews.moderate", meeting)
    organizations = selectors.member_organizations(meeting.group)
    form = MeetingForm(
        request.POST or None,
        organizations=organizations,
        initial={
            "starts_at": timezone.localtime(meeting.starts_at),
            "duration_minutes": meeting.duration_minutes,
            "host": meeting.host_id,
            "venue_details": meeting.venue_details,
            "new_situation_slots": meeting.new_situation_slots,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reschedule_meeting(
                by=request.user, meeting=meeting, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting is changed. Send the new invitation."))
            return redirect("reviews:meeting", meeting_id=meeting.id)
    return _form_page(
        request,
        title=_("Change the meeting"),
        form=form,
        back=reverse("reviews:meeting", args=[meeting.id]),
        extra={"group": meeting.group},
    )


@login_required
def meeting_detail(request, meeting_id):
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    return render(
        request,
        "reviews/meeting_detail.html",
        {
            "meeting": meeting,
            "group": meeting.group,
            "agenda": agenda_module.build_agenda(meeting),
            "is_moderator": request.user.has_perm("reviews.moderate", meeting),
            "moderator": selectors.moderator_of(meeting.group),
            "today": timezone.localdate(),
            "has_begun": meeting.has_begun,
        },
    )


@login_required
@require_POST
@handles_conflicts
def meeting_close(request, meeting_id):
    """Closing a meeting sends the situations proposed from the queue but not analysed back
    to it: the moderator is told which, and confirms, before the meeting is closed."""
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    require(request.user, "reviews.moderate", meeting)
    left = agenda_module.left_in_queue(meeting) if meeting.is_open and meeting.has_begun else []
    if left and request.POST.get("confirmed") != "yes":
        return render(
            request,
            "reviews/meeting_close.html",
            {"meeting": meeting, "group": meeting.group, "left": left},
        )
    services.close_meeting(by=request.user, meeting=meeting, request=request)
    messages.success(request, _("The meeting is recorded as held. Its minutes are final."))
    if left:
        messages.warning(
            request,
            ngettext(
                "%(count)d situation was not analysed and goes back to the queue: %(titles)s.",
                "%(count)d situations were not analysed and go back to the queue: %(titles)s.",
                len(left),
            )
            % {
                "count": len(left),
                "titles": ", ".join(_("“%(title)s”") % {"title": s.title} for s in left),
            },
        )
    return redirect("reviews:meeting", meeting_id=meeting.id)


@login_required
@require_POST
@handles_conflicts
def meeting_cancel(request, meeting_id):
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    services.cancel_meeting(by=request.user, meeting=meeting, request=request)
    messages.success(request, _("The meeting is cancelled."))
    return redirect("reviews:meeting", meeting_id=meeting.id)


@login_required
@handles_conflicts
def meeting_attendance(request, meeting_id):
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    require(request.user, "reviews.moderate", meeting)
    _on_the_day(meeting)
    members = list(selectors.members_of(meeting.group))
    present = [user.pk for user in selectors.present_at(meeting)]
    form = AttendanceForm(
        request.POST or None,
        members=members,
        initial={"present": [str(uid) for uid in present]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_attendance(
                by=request.user, meeting=meeting, present=form.present_users(), request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Attendance is recorded."))
            return redirect("reviews:meeting", meeting_id=meeting.id)
    return _form_page(
        request,
        title=_("Attendance"),
        form=form,
        back=reverse("reviews:meeting", args=[meeting.id]),
        extra={"group": meeting.group, "meeting": meeting},
    )


@login_required
@handles_conflicts
def meeting_slot(request, meeting_id):
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    require(request.user, "reviews.moderate", meeting)
    form = SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_meeting_slot(
                by=request.user,
                meeting=meeting,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                notes=form.cleaned_data["notes"],
                confirmations=form.confirmations,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The slot is added to the agenda."))
            return redirect("reviews:meeting", meeting_id=meeting.id)
    return _form_page(
        request,
        title=_("Add an optional slot"),
        form=form,
        back=reverse("reviews:meeting", args=[meeting.id]),
        intro=_("A situation that went well, a clinical case or a short training."),
        extra={"group": meeting.group, "meeting": meeting},
    )


@login_required
@handles_conflicts
def meeting_round_table(request, meeting_id):
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    require(request.user, "reviews.moderate", meeting)
    _on_the_day(meeting)
    raters = selectors.present_at(meeting) or [m.user for m in selectors.members_of(meeting.group)]
    current = selectors.round_table_ratings(meeting)
    initial = {"notes": meeting.round_table_notes} | {
        f"rating_{uid.hex}": rating for uid, rating in current.items()
    }
    form = RoundTableForm(request.POST or None, raters=raters, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_round_table(
                by=request.user,
                meeting=meeting,
                notes=form.cleaned_data["notes"],
                ratings=form.ratings(),
                confirmations=form.confirmations,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The round table is recorded."))
            return redirect("reviews:meeting", meeting_id=meeting.id)
    return _form_page(
        request,
        title=_("Round table"),
        form=form,
        back=reverse("reviews:meeting", args=[meeting.id]),
        intro=_(
            "How did the meeting go? Each participant present may give a quick rating, "
            "from 1 (poorly) to 5 (very well)."
        ),
        extra={"group": meeting.group, "meeting": meeting},
    )


@login_required
@handles_conflicts
def situation_analysis(request, meeting_id, situation_id):
    """The five questions for one situation, then its avenues for improvement."""
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    situation = selectors.access_situation_by_id(request.user, situation_id)
    require(request.user, "reviews.moderate", meeting)
    if situation.group_id != meeting.group_id:
        raise Http404
    _on_the_day(meeting)
    analysis = getattr(situation, "analysis", None)
    initial = {}
    if analysis is not None:
        initial = {
            "malfunction": analysis.malfunction,
            "malfunction_types": split_codes(analysis.malfunction_types),
            "patient_harm": analysis.patient_harm,
            "patient_harm_how": analysis.patient_harm_how,
            "carer_harm": analysis.carer_harm,
            "carer_harm_how": analysis.carer_harm_how,
            "avoidable": analysis.avoidable,
        }
    posted_action = request.method == "POST" and "add_action" in request.POST
    posted_analysis = request.method == "POST" and not posted_action
    organizations = list(selectors.member_organizations(meeting.group))
    members = list(selectors.members_of(meeting.group))
    form = AnalysisForm(request.POST if posted_analysis else None, initial=initial, prefix="q")
    action_form = ImprovementActionForm(
        request.POST if posted_action else None,
        organizations=organizations,
        members=members,
        prefix="action",
    )
    if posted_analysis and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_analysis(
                by=request.user,
                meeting=meeting,
                situation=situation,
                malfunction=data["malfunction"],
                malfunction_types=data["malfunction_types"],
                patient_harm=data["patient_harm"],
                patient_harm_how=data["patient_harm_how"],
                carer_harm=data["carer_harm"],
                carer_harm_how=data["carer_harm_how"],
                avoidable=data["avoidable"],
                confirmations=form.confirmations,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The five questions are recorded. Add the avenues for improvement.")
            )
            return redirect(
                reverse("reviews:analysis", args=[meeting.id, situation.id]) + "#actions"
            )
    if posted_action and action_form.is_valid():
        try:
            services.add_improvement_action(
                by=request.user,
                meeting=meeting,
                situation=situation,
                description=action_form.cleaned_data["description"],
                due_date=action_form.cleaned_data["due_date"],
                confirmations=action_form.confirmations,
                request=request,
                **action_form.owner_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(action_form, error)
        else:
            messages.success(request, _("The improvement action is added."))
            return redirect(
                reverse("reviews:analysis", args=[meeting.id, situation.id]) + "#actions"
            )
    situation = selectors.situation_as_saved(situation)
    actions = selectors.actions_of(situation)
    return render(
        request,
        "reviews/analysis.html",
        {
            "meeting": meeting,
            "group": meeting.group,
            "situation": situation,
            "form": form,
            "action_form": action_form,
            "actions": actions,
            "analysed": situation.status == SituationStatus.PRESENTED,
        },
    )


@login_required
@handles_conflicts
def follow_up(request, meeting_id, situation_id):
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    situation = selectors.access_situation_by_id(request.user, situation_id)
    require(request.user, "reviews.moderate", meeting)
    _on_the_day(meeting)
    current = selectors.follow_up_at(meeting, situation)
    form = FollowUpForm(request.POST or None, initial={"note": current.note if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_follow_up(
                by=request.user,
                meeting=meeting,
                situation=situation,
                note=form.cleaned_data["note"],
                confirmations=form.confirmations,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("What became of the situation is recorded."))
            return redirect("reviews:meeting", meeting_id=meeting.id)
    return _form_page(
        request,
        title=_("What became of: %(title)s") % {"title": situation.title},
        form=form,
        back=reverse("reviews:meeting", args=[meeting.id]),
        extra={"group": meeting.group, "meeting": meeting, "situation": situation},
    )


@login_required
@handles_conflicts
def action_status(request, action_id, meeting_id=None):
    """At a meeting, the moderator records what became of an action; between meetings its
    owner may."""
    action = selectors.access_action_by_id(request.user, action_id)
    meeting = None
    if meeting_id is not None:
        meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    require(request.user, "reviews.update_action", action)
    back = (
        reverse("reviews:meeting", args=[meeting.id])
        if meeting
        else reverse("reviews:situation", args=[action.situation_id])
    )
    form = ActionStatusForm(request.POST or None, initial={"status": action.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_action_status(
                by=request.user,
                action=action,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                meeting=meeting,
                confirmations=form.confirmations,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action is updated."))
            return redirect(back)
    return _form_page(
        request,
        title=_("Update an improvement action"),
        form=form,
        back=back,
        intro=action.description,
        extra={"group": action.situation.group, "meeting": meeting},
    )


@login_required
def minutes_page(request, meeting_id):
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    return render(
        request,
        "reviews/minutes.html",
        {
            "meeting": meeting,
            "group": meeting.group,
            "agenda": agenda_module.build_agenda(meeting),
            "moderator": selectors.moderator_of(meeting.group),
        },
    )


@login_required
@require_GET
def minutes_pdf(request, meeting_id):
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    data = minutes.minutes_pdf(
        agenda_module.build_agenda(meeting), moderator=selectors.moderator_of(meeting.group)
    )
    record_event(
        action=Action.EXPORTED,
        actor=request.user,
        obj=meeting,
        request=request,
        details={"event": "minutes_pdf"},
    )
    response = HttpResponse(data, content_type="application/pdf")
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="minutes-{day}.pdf"'
    return response


@login_required
@require_GET
def invitation(request, meeting_id):
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    data = calendar.meeting_invitation(
        agenda_module.build_agenda(meeting),
        members=list(selectors.members_of(meeting.group)),
        url=request.build_absolute_uri(reverse("reviews:meeting", args=[meeting.id])),
    )
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="review-{day}.ics"'
    return response


# --- situations -------------------------------------------------------------------------


@login_required
def situation_submit(request, group_id):
    group = selectors.access_group_by_id(request.user, group_id)
    require(request.user, "reviews.submit_situation", group)
    form = SituationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            situation = services.submit_situation(
                by=request.user,
                group=group,
                kind=data["kind"],
                title=data["title"],
                narrative=data["narrative"],
                sectors=data["sectors"],
                confirmations=form.confirmations,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. The situation is in the group's queue."))
            return redirect("reviews:situation", situation_id=situation.id)
    return _form_page(
        request,
        title=_("Submit a situation"),
        form=form,
        back=reverse("reviews:group", args=[group.id]),
        intro=_(
            "Tell a situation where cooperation between carers failed, or went well. It is "
            "about how the carers worked together, not about the family: name no one."
        ),
        submit=_("Submit the situation"),
        extra={"group": group},
    )


@login_required
@handles_conflicts
def situation_edit(request, situation_id):
    situation = selectors.access_situation_by_id(request.user, situation_id)
    require(request.user, "reviews.change_situation", situation)
    form = SituationForm(
        request.POST or None,
        initial={
            "kind": situation.kind,
            "title": situation.title,
            "narrative": situation.narrative,
            "sectors": split_codes(situation.sectors),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_situation(
                by=request.user,
                situation=situation,
                kind=data["kind"],
                title=data["title"],
                narrative=data["narrative"],
                sectors=data["sectors"],
                confirmations=form.confirmations,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The situation is updated."))
            return redirect("reviews:situation", situation_id=situation.id)
    return _form_page(
        request,
        title=_("Change the situation"),
        form=form,
        back=reverse("reviews:situation", args=[situation.id]),
        extra={"group": situation.group},
    )


@login_required
def situation_detail(request, situation_id):
    situation = selectors.access_situation_by_id(request.user, situation_id)
    return render(
        request,
        "reviews/situation_detail.html",
        {
            "situation": situation,
            "group": situation.group,
            "analysis": getattr(situation, "analysis", None),
            "actions": selectors.actions_of(situation, with_updates=True),
            "follow_ups": selectors.follow_ups_of(situation),
            "is_author": situation.submitted_by_id == request.user.pk,
            "can_change": request.user.has_perm("reviews.change_situation", situation)
            and situation.status == SituationStatus.SUBMITTED,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
@handles_conflicts
def situation_withdraw(request, situation_id):
    situation = selectors.access_situation_by_id(request.user, situation_id)
    services.withdraw_situation(by=request.user, situation=situation, request=request)
    messages.success(request, _("The situation is withdrawn from the queue."))
    return redirect("reviews:group", group_id=situation.group_id)


@login_required
@require_POST
@handles_conflicts
def queue_move(request, situation_id):
    situation = selectors.access_situation_by_id(request.user, situation_id)
    try:
        services.move_situation_in_queue(
            by=request.user,
            situation=situation,
            direction=request.POST.get("direction", ""),
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("reviews:group", args=[situation.group_id]) + "#queue")


# --- statistics -------------------------------------------------------------------------


def _period(request) -> tuple[PeriodForm, tuple]:
    start, end = statistics.default_period()
    form = PeriodForm(request.GET or None, initial={"start": start, "end": end})
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, (start, end)


@login_required
def statistics_page(request, group_id):
    group = selectors.access_group_by_id(request.user, group_id)
    form, (start, end) = _period(request)
    stats = statistics.group_statistics(group, start=start, end=end)
    return render(
        request,
        "reviews/statistics.html",
        {
            "group": group,
            "form": form,
            "stats": stats,
            "csv_query": f"start={start.isoformat()}&end={end.isoformat()}",
        },
    )


@login_required
@require_GET
def statistics_csv(request, group_id):
    group = selectors.access_group_by_id(request.user, group_id)
    _form, (start, end) = _period(request)
    stats = statistics.group_statistics(group, start=start, end=end)
    record_event(
        action=Action.EXPORTED,
        actor=request.user,
        obj=group,
        request=request,
        details={"event": "statistics_csv", "start": start.isoformat(), "end": end.isoformat()},
    )
    response = HttpResponse(
        statistics.statistics_csv(group, stats), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="review-statistics-{start.isoformat()}-{end.isoformat()}.csv"'
    )
    return response
