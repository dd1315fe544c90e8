"""Referral and consultation pages. HTTP only: reads through selectors, writes through
services."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from maillage.core import csv_export
from maillage.core.forms import add_service_errors
from maillage.core.params import parse_uuid
from maillage.core.permissions import require
from maillage.core.uploads import download_response
from maillage.directory import selectors as directory
from maillage.families import selectors as families

from . import inbox_table, indicators, selectors, services
from .forms import (
    ConsultationForm,
    IndicatorsForm,
    PreferencesForm,
    ReferralForm,
    ReplyForm,
    StepForm,
    WarmHandoffForm,
)
from .messages import render as render_message
from .models import Step


def _my_families(user, q: str = ""):
    """The families I may refer: those I follow and may open, named as I may name them;
    narrowed by a search (`q`) on what I may see of them."""
    return families.families_followed(fetched_by=user, q=q)


def _my_teams(user):
    return directory.teams_of_user(fetched_by=user)


@login_required
@never_cache
def inbox(request):
    inbox = selectors.inbox(fetched_by=request.user, team_id=request.GET.get("team"))
    page = Paginator(inbox.referrals, 25).get_page(request.GET.get("page"))
    page.object_list = inbox.present(page.object_list)
    selectors.log_inbox(request.user, page.object_list, request=request)
    rows = selectors.inbox_rows(page)
    return render(
        request,
        "referrals/inbox.html",
        {
            "page": page,
            "rows": rows,
            "rows_html": inbox_table.rows_html(rows),
            "consent_requests": selectors.consent_requests_for(fetched_by=request.user),
            "tab": "inbox",
            "teams": _my_teams(request.user),
        },
    )


@login_required
@require_POST
def ask_for_consent(request, family_id):
    """A partner whose consent lapsed asks the family's lead to renew it."""
    try:
        services.ask_for_consent(by=request.user, family_id=family_id, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your request is sent to the family's lead worker. Thank you."))
    return redirect("families:caseload")


@login_required
@never_cache
def outgoing(request):
    page = Paginator(selectors.outgoing(fetched_by=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "referrals/outgoing.html", {"page": page, "tab": "outgoing"})


@login_required
@never_cache
def new_referral(request):
    user = request.user
    require(user, "referrals.ask_consultation")
    # A team from the query string is a client's guess: a malformed one is no team.
    team_id = parse_uuid(request.POST.get("to_team") or request.GET.get("team"))
    to_teams = selectors.all_teams()
    offers = selectors.active_offers(team_id)
    initial = {
        "to_team": team_id,
        "service_offer": request.GET.get("service"),
        "family": request.GET.get("family"),
    }
    # The family search narrows the choices shown; a posted form checks against them all.
    q = "" if request.method == "POST" else request.GET.get("q", "").strip()[:100]
    form = ReferralForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        families=_my_families(user, q),
        my_teams=_my_teams(user),
        to_teams=to_teams,
        offers=offers,
    )
    needs_consent = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.refer_family(
                by=user,
                family=data["family"],
                from_team=data["from_team"],
                to_team=data["to_team"],
                service_offer=data["service_offer"],
                reason=data["reason"],
                family_wishes=data["family_wishes"],
                urgency=data["urgency"],
                preferred_language=data["preferred_language"],
                preferred_contact=data["preferred_contact"],
                categories=data["categories"],
                attachments=data["attachments"],
                referrer_leaves_on_hand_over=data["referrer_leaves_on_hand_over"],
                request=request,
            )
        except services.NoCoveringConsent as error:
            add_service_errors(form, error)
            needs_consent = data["family"]
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The referral is sent."))
            return redirect("referrals:detail", referral.id)
    return render(
        request,
        "referrals/new.html",
        {
            "form": form,
            "needs_consent": needs_consent,
            "q": q,
            "team_id": team_id or "",
            "service_id": request.GET.get("service", ""),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@never_cache
def detail(request, referral_id):
    referral = selectors.access_referral(request.user, referral_id, request=request)
    as_receiver = request.user.has_perm("referrals.act_as_receiver", referral)
    as_referrer = request.user.has_perm("referrals.act_as_referrer", referral)
    steps = [
        s
        for s in referral.allowed_steps()
        if (as_receiver and s != Step.SEND and s != Step.CANCEL)
        or (as_referrer and s in (Step.CANCEL, Step.SEND))
    ]
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "events": selectors.referral_events(referral),
            "circle": families.circle(referral.family),
            "steps": [(s, Step(s).label) for s in steps],
            "step_form": StepForm(),
            "handoff_form": WarmHandoffForm(),
            "attachments": selectors.attachments_of(referral),
            "workers": selectors.receiving_workers(referral) if as_receiver else [],
            "as_receiver": as_receiver,
            "as_referrer": as_referrer,
        },
    )


@login_required
@require_POST
def take_step(request, referral_id):
    referral = selectors.referral_for_write(request.user, referral_id)
    form = StepForm(request.POST)
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    step = data.pop("step", "")
    note = data.pop("note", "")
    if step not in Step.values:
        raise Http404
    try:
        services.take_step(
            by=request.user, referral=referral, step=step, note=note, request=request, **data
        )
    except services.IllegalTransition as error:
        return render(request, "families/conflict.html", {"message": str(error)}, status=409)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("referrals:detail", referral.id)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Done: %(step)s.") % {"step": Step(step).label})
    return redirect("referrals:detail", referral.id)


@login_required
@require_POST
def warm_handoff(request, referral_id):
    referral = selectors.referral_for_write(request.user, referral_id)
    form = WarmHandoffForm(request.POST)
    if form.is_valid():
        try:
            services.plan_warm_handoff(
                by=request.user,
                referral=referral,
                at=form.cleaned_data["at"],
                done=form.cleaned_data["done"],
                request=request,
            )
        except services.IllegalTransition as error:
            return render(request, "families/conflict.html", {"message": str(error)}, status=409)
        except PermissionDenied:
            raise Http404 from None
        messages.success(request, _("The joint first meeting is recorded."))
    else:
        messages.error(request, _("Give the date and time of the meeting."))
    return redirect("referrals:detail", referral.id)


@login_required
def attachment(request, referral_id, attachment_id):
    referral = selectors.access_referral(request.user, referral_id, request=request)
    item = selectors.referral_attachment(referral, attachment_id)
    response = download_response(item.file, filename_stem=item.name.rsplit(".", 1)[0])
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
def indicator_page(request):
    require(request.user, "referrals.view_indicators")
    today = timezone.localdate()
    form = IndicatorsForm(
        request.GET or {"start": today - timedelta(days=365), "end": today, "by": "team"}
    )
    rows = []
    if form.is_valid():
        rows = indicators.compute(**form.cleaned_data)
        if request.GET.get("format") == "csv":
            return csv_export.response(indicators.as_csv(rows), "referral-indicators.csv")
    return render(request, "referrals/indicators.html", {"form": form, "rows": rows})


@login_required
@never_cache
def consultations(request):
    page = Paginator(selectors.consultations(fetched_by=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "referrals/consultations.html", {"page": page})


@login_required
@never_cache
def new_consultation(request):
    user = request.user
    require(user, "referrals.ask_consultation")
    form = ConsultationForm(
        request.POST or None,
        initial={"to_team": request.GET.get("team")},
        my_teams=_my_teams(user),
        families=_my_families(user),
        to_teams=selectors.all_teams(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.ask_consultation(by=user, request=request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Your question is sent to the team."))
            return redirect("referrals:consultation", consultation.id)
    return render(
        request,
        "referrals/consultation_new.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@never_cache
def consultation(request, consultation_id):
    item = selectors.access_consultation(request.user, consultation_id, request=request)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_to_consultation(
                by=request.user, consultation=item, text=form.cleaned_data["text"], request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("referrals:consultation", item.id)
    return render(
        request,
        "referrals/consultation.html",
        {
            "consultation": item,
            "messages_": selectors.consultation_messages(item),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@never_cache
def notifications(request):
    preferences = selectors.email_preferences(request.user)
    form = PreferencesForm(
        request.POST or None,
        initial={
            "referral_steps": preferences.referral_steps if preferences else True,
            "overdue_reminders": preferences.overdue_reminders if preferences else True,
            "consultation_answers": preferences.consultation_answers if preferences else True,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.save_email_preferences(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your e-mail choices are saved."))
        return redirect("referrals:notifications")
    items = [
        (n, render_message(n.kind, n.params)[1])
        for n in selectors.recent_notifications(request.user)
    ]
    services.mark_notifications_read(user=request.user)
    return render(request, "referrals/notifications.html", {"form": form, "items": items})
