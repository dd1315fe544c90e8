"""Referral and consultation pages. HTTP only: reads through selectors, writes through
services."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from maillage.core import csv_export
from maillage.core.forms import add_service_errors
from maillage.core.params import parse_uuid
from maillage.directory.models import ServiceOffer, Team
from maillage.families.models import Family

from . import indicators, selectors, services
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
from .models import Attachment, EmailPreferences, Step


def _my_families(user):
    """The families I may refer: those whose circle I am in, labelled with their names."""
    families = (
        Family.objects.filter(circle__practitioner__user=user, circle__left_at__isnull=True)
        .prefetch_related("caregivers")
        .distinct()
        .order_by("-created_at")
    )
    for family in families:
        names = ", ".join(f"{c.first_name} {c.last_name}" for c in family.caregivers.all())
        family.label = f"{names} ({family.reference})"
    return families


def _my_teams(user):
    return Team.objects.filter(memberships__practitioner__user=user).select_related("organization")


@login_required
@never_cache
def inbox(request):
    referrals = selectors.inbox(fetched_by=request.user, team_id=request.GET.get("team"))
    page = Paginator(referrals, 25).get_page(request.GET.get("page"))
    selectors.log_inbox(request.user, page, request=request)
    return render(
        request,
        "referrals/inbox.html",
        {
            "page": page,
            "rows": selectors.inbox_rows(page),
            "tab": "inbox",
            "teams": _my_teams(request.user),
        },
    )


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
    if not user.has_perm("referrals.ask_consultation"):
        raise PermissionDenied
    # A team from the query string is a client's guess: a malformed one is no team.
    team_id = parse_uuid(request.POST.get("to_team") or request.GET.get("team"))
    to_teams = Team.objects.select_related("organization").order_by("organization__name", "name")
    offers = (
        ServiceOffer.objects.filter(team_id=team_id, is_active=True)
        if team_id
        else ServiceOffer.objects.none()
    )
    initial = {
        "to_team": team_id,
        "service_offer": request.GET.get("service"),
        "family": request.GET.get("family"),
    }
    form = ReferralForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        families=_my_families(user),
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
        {"form": form, "needs_consent": needs_consent},
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
            "events": referral.events.select_related("by"),
            "caregivers": list(referral.family.caregivers.all()),
            "circle": list(
                referral.family.circle.filter(left_at__isnull=True).select_related(
                    "practitioner", "team__organization"
                )
            ),
            "steps": [(s, Step(s).label) for s in steps],
            "step_form": StepForm(),
            "handoff_form": WarmHandoffForm(),
            "attachments": referral.attachments.all(),
            "as_receiver": as_receiver,
            "as_referrer": as_referrer,
        },
    )


@login_required
@require_POST
def take_step(request, referral_id):
    referral = selectors.access_referral(request.user, referral_id, request=request)
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
    referral = selectors.access_referral(request.user, referral_id, request=request)
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
    item = get_object_or_404(Attachment, id=attachment_id, referral=referral)
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
def indicator_page(request):
    if not (request.user.is_coordinator or request.user.has_perm("referrals.ask_consultation")):
        raise PermissionDenied
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
    if not user.has_perm("referrals.ask_consultation"):
        raise PermissionDenied
    form = ConsultationForm(
        request.POST or None,
        initial={"to_team": request.GET.get("team")},
        my_teams=_my_teams(user),
        families=_my_families(user),
        to_teams=Team.objects.select_related("organization").order_by("organization__name"),
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
            "messages_": item.messages.select_related("author"),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@never_cache
def notifications(request):
    preferences = EmailPreferences.objects.filter(user=request.user).first()
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
        (n, render_message(n.kind, n.params)[1]) for n in request.user.notifications.all()[:50]
    ]
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "referrals/notifications.html", {"form": form, "items": items})
