"""Family pages: caseload, record, consents, circle, plan, timeline, access report, export,
emergency access. HTTP only: reads through selectors (logged), writes through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from maillage.core.forms import add_service_errors
from maillage.core.permissions import require
from maillage.core.uploads import download_response
from maillage.directory import selectors as directory

from . import selectors, services
from .forms import (
    ActionForm,
    ActionUpdateForm,
    CaseloadFilterForm,
    CircleAddForm,
    ConsentForm,
    EmergencyAccessForm,
    EnteredInErrorForm,
    EntryForm,
    FamilyForm,
    GoalForm,
    HandOverForm,
    ReviewForm,
    WithdrawForm,
)
from .models import PlanAction
from .permissions import circle_action_rule

PAGE_SIZE = 20


def _writable_family(user, family_id, perm: str):
    return selectors.family_for_write(user, family_id, perm)


def _conflict(request, message: str, status: int = 409):
    return render(request, "families/conflict.html", {"message": message}, status=status)


@login_required
@never_cache
def caseload(request):
    form = CaseloadFilterForm(request.GET or None)
    filters = selectors.CaseloadFilters()
    if form.is_valid():
        filters = selectors.CaseloadFilters(**form.cleaned_data)
    caseload = selectors.caseload(fetched_by=request.user, filters=filters)
    page = Paginator(caseload.families, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = caseload.present(page.object_list)
    selectors.log_listing(request.user, page.object_list, request=request)
    return render(
        request,
        "families/caseload.html",
        {
            "form": form,
            "page": page,
            "expiring": selectors.expiring_consents(
                fetched_by=request.user, access=caseload.access
            ),
            "lapsed": caseload.lapsed,
            "today": timezone.localdate(),
            "can_create": request.user.has_perm("families.create_family"),
        },
    )


@login_required
@never_cache
def create_family(request):
    require(request.user, "families.create_family")
    teams = directory.teams_of_user(fetched_by=request.user)
    form = FamilyForm(request.POST or None, teams=teams)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = services.check_for_duplicates(
            by=request.user,
            first_name=data["parent1_first_name"],
            last_name=data["parent1_last_name"],
            date_of_birth=data["parent1_date_of_birth"],
            request=request,
        )
        if duplicates and not data["confirm_new"]:
            form.add_error(
                None,
                _(
                    "A family with a parent of this name and date of birth "
                    "is already on record. Check before creating another."
                ),
            )
        else:
            try:
                family = services.create_family(
                    by=request.user,
                    team=next(t for t in teams if str(t.id) == data["team"]),
                    role=data["role"],
                    caregivers=_caregivers(data),
                    children=_children(data),
                    reasons=data["reasons"],
                    reasons_in_own_words=data["reasons_in_own_words"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The family is recorded; you are its lead worker."))
                return redirect("families:detail", family.id)
    return render(
        request,
        "families/family_form.html",
        {
            "form": form,
            "duplicates": duplicates,
        },
    )


def _caregivers(data) -> list[services.CaregiverData]:
    people = [
        services.CaregiverData(
            first_name=data["parent1_first_name"],
            last_name=data["parent1_last_name"],
            relationship=data["parent1_relationship"],
            date_of_birth=data["parent1_date_of_birth"],
            languages=tuple(data["parent1_languages"]),
            phone=data["parent1_phone"],
            email=data["parent1_email"],
            address=data["parent1_address"],
            preferred_contact=data["parent1_preferred_contact"],
        )
    ]
    if data["parent2_first_name"]:
        people.append(
            services.CaregiverData(
                first_name=data["parent2_first_name"],
                last_name=data["parent2_last_name"],
                relationship=data["parent2_relationship"],
                date_of_birth=data["parent2_date_of_birth"],
            )
        )
    return people


def _children(data) -> list[services.ChildData]:
    if not (data["child_first_name"] or data["child_date_of_birth"] or data["child_due_date"]):
        return []
    return [
        services.ChildData(
            first_name=data["child_first_name"],
            date_of_birth=data["child_date_of_birth"],
            due_date=data["child_due_date"],
        )
    ]


@login_required
@never_cache
def detail(request, family_id):
    family, access = selectors.access_family(
        request.user,
        family_id,
        parts=["identity", "circle", "consents", "plan", "timeline"],
        request=request,
    )
    entries = selectors.masked_entries(
        selectors.visible_entries(request.user, family, access)[:5], family, access
    )
    return render(
        request,
        "families/detail.html",
        {
            "family": family,
            "access": access,
            "tab": "overview",
            "identity": selectors.identity(family, access),
            "circle": selectors.circle(family),
            "consents": selectors.consents(family),
            "plan": selectors.plan(family, access),
            "entries": entries,
            "consent_standing": selectors.consent_standing(family, access),
        },
    )


@login_required
@never_cache
def consents(request, family_id):
    if request.method == "POST":
        family = _writable_family(request.user, family_id, "families.record_consent")
        form = ConsentForm(
            request.POST,
            request.FILES,
            family=family,
            show_names=request.user.has_perm("families.see_identity", family),
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_consent(
                    by=request.user,
                    family=family,
                    given_by=data["given_by"],
                    organizations=list(data["organizations"]),
                    categories=data["categories"],
                    purpose=data["purpose"],
                    method=data["method"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    witness=data["witness"],
                    scan=data["scan"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("The consent is recorded."))
                return redirect("families:consents", family.id)
        status = 400
    else:
        form, status = None, 200
    family, access = selectors.access_family(
        request.user, family_id, parts=["consents"], request=request
    )
    can_record = request.user.has_perm("families.record_consent", family)
    if can_record and form is None:
        form = ConsentForm(family=family, show_names=access.shows_identity)
    return render(
        request,
        "families/consents.html",
        {
            "family": family,
            "access": access,
            "tab": "consents",
            "form": form,
            "identity": selectors.identity(family, access),
            "consents": selectors.consents(family),
            "can_record": can_record,
        },
        status=status,
    )


@login_required
@require_POST
def withdraw_consent(request, family_id, consent_id):
    family = _writable_family(request.user, family_id, "families.record_consent")
    consent = selectors.consent_of(family, consent_id)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.withdraw_consent(
            by=request.user,
            consent=consent,
            reason=form.cleaned_data.get("reason", ""),
            request=request,
        )
    except services.IllegalTransition as error:
        return _conflict(request, str(error))
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The consent is withdrawn, from now on."))
    return redirect("families:consents", family.id)


@login_required
def consent_scan(request, family_id, consent_id):
    # The signed form carries the family's names: identity must be shared.
    family, _access = selectors.access_family(
        request.user, family_id, parts=["consent_scan"], request=request, category="identity"
    )
    consent = selectors.consent_of(family, consent_id)
    if not consent.scan:
        raise Http404
    response = download_response(consent.scan, filename_stem="consent")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
def circle(request, family_id):
    add_form = hand_over_form = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        needed = circle_action_rule(action)
        family = _writable_family(request.user, family_id, needed)
        try:
            if action == "add":
                add_form = CircleAddForm(request.POST)
                if _add_member(request, family, add_form):
                    return redirect("families:circle", family.id)
            elif action == "hand_over":
                hand_over_form = HandOverForm(request.POST, family=family)
                if hand_over_form.is_valid():
                    services.hand_over_lead(
                        by=request.user,
                        family=family,
                        to=hand_over_form.cleaned_data["to"],
                        request=request,
                    )
                    messages.success(request, _("The lead is handed over."))
                    return redirect("families:circle", family.id)
            elif action == "leave":
                services.leave_circle(by=request.user, family=family, request=request)
                messages.success(request, _("You left this family's circle of care."))
                return redirect("families:caseload")
        except services.IllegalTransition as error:
            return _conflict(request, str(error))
        except PermissionDenied:
            raise Http404 from None
        status = 400
    family, access = selectors.access_family(
        request.user, family_id, parts=["circle"], request=request
    )
    return render(
        request,
        "families/circle.html",
        {
            "family": family,
            "access": access,
            "tab": "circle",
            "identity": selectors.identity(family, access),
            "circle": selectors.circle(family),
            "add_form": add_form or CircleAddForm(),
            "hand_over_form": hand_over_form or HandOverForm(family=family),
            "can_manage": request.user.has_perm("families.manage_circle", family),
            "can_hand_over": request.user.has_perm("families.hand_over_lead", family),
        },
        status=status,
    )


def _add_member(request, family, form) -> bool:
    if not form.is_valid():
        return False
    person = directory.practitioner_by_email(
        fetched_by=request.user, email=form.cleaned_data["email"]
    )
    if person is None:
        form.add_error("email", _("No practitioner of the directory has this e-mail."))
        return False
    teams = directory.teams_of(fetched_by=request.user, practitioner=person)
    form.fields["team"].choices = [(str(t.id), f"{t.name} — {t.organization.name}") for t in teams]
    chosen = form.cleaned_data["team"]
    team = next((t for t in teams if str(t.id) == chosen), None)
    if team is None:
        if len(teams) != 1:
            form.add_error("team", _("This practitioner is in several teams: choose one."))
            return False
        team = teams[0]
    try:
        services.add_circle_member(
            by=request.user,
            family=family,
            practitioner=person,
            team=team,
            role=form.cleaned_data["role"],
            request=request,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, _("%(name)s joined the circle of care.") % {"name": person})
    return True


@login_required
@never_cache
def plan(request, family_id):
    forms_by_name = {}
    status = 200
    if request.method == "POST":
        family = _writable_family(request.user, family_id, "families.change_plan")
        action = request.POST.get("action")
        try:
            done = _plan_post(request, family, action, forms_by_name)
        except PermissionDenied:
            raise Http404 from None
        except services.Conflict as error:
            return _conflict(request, str(error))
        if done:
            return redirect("families:plan", family.id)
        status = 400
    family, access = selectors.access_family(
        request.user, family_id, parts=["plan"], request=request, category="plan"
    )
    plan_part = selectors.plan(family, access)
    return render(
        request,
        "families/plan.html",
        {
            "family": family,
            "access": access,
            "tab": "plan",
            "plan": plan_part,
            "identity": selectors.identity(family, access),
            "goal_form": forms_by_name.pop("goal", None) or GoalForm(),
            "action_form": forms_by_name.pop("action", None) or ActionForm(family=family),
            "review_form": forms_by_name.pop("review", None) or ReviewForm(),
            "can_change": request.user.has_perm("families.change_plan", family),
            "changes": selectors.plan_changes(family),
        },
        status=status,
    )


def _plan_post(request, family, action, forms_by_name) -> bool:
    if action == "goal":
        form = forms_by_name["goal"] = GoalForm(request.POST)
        if form.is_valid():
            services.add_goal(by=request.user, family=family, request=request, **form.cleaned_data)
            return True
    elif action == "action":
        form = forms_by_name["action"] = ActionForm(request.POST, family=family)
        goal = selectors.goal_of(family, request.POST.get("goal"))
        if goal is None:
            form.add_error(None, _("Choose the goal this action serves."))
        elif form.is_valid():
            try:
                services.add_action(
                    by=request.user, goal=goal, request=request, **form.cleaned_data
                )
                return True
            except ValidationError as error:
                add_service_errors(form, error)
    elif action == "review":
        form = forms_by_name["review"] = ReviewForm(request.POST)
        if form.is_valid():
            services.plan_review(
                by=request.user, family=family, request=request, **form.cleaned_data
            )
            return True
    return False


@login_required
@never_cache
def plan_action(request, family_id, action_id):
    """Edit one action of the plan; a save from a stale version is refused, not merged."""
    if request.method == "POST":
        family = _writable_family(request.user, family_id, "families.change_plan")
        item = selectors.plan_action_of(family, action_id)
        form = ActionUpdateForm(request.POST, family=family)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.update_action(
                    by=request.user, action=item, expected_version=version, request=request, **data
                )
            except services.Conflict as error:
                item = selectors.plan_action_of(family, action_id)
                return render(
                    request,
                    "families/plan_action.html",
                    {
                        "family": family,
                        "item": item,
                        "form": ActionUpdateForm(initial=_action_initial(item), family=family),
                        "conflict": str(error),
                        "tab": "plan",
                    },
                    status=409,
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The action is saved."))
                return redirect("families:plan", family.id)
        return render(
            request,
            "families/plan_action.html",
            {"family": family, "item": item, "form": form, "tab": "plan"},
            status=400,
        )
    family, _access = selectors.access_family(
        request.user, family_id, parts=["plan"], request=request, category="plan"
    )
    item = selectors.plan_action_of(family, action_id)
    form = ActionUpdateForm(initial=_action_initial(item), family=family)
    return render(
        request,
        "families/plan_action.html",
        {"family": family, "item": item, "form": form, "tab": "plan"},
    )


def _action_initial(item: PlanAction) -> dict:
    return {
        "description": item.description,
        "owner": item.owner_id,
        "due_date": item.due_date,
        "status": item.status,
        "version": item.version,
    }


@login_required
@never_cache
def timeline(request, family_id):
    form = None
    status = 200
    if request.method == "POST":
        family = _writable_family(request.user, family_id, "families.add_entry")
        form = EntryForm(request.POST)
        if form.is_valid():
            try:
                services.add_entry(
                    by=request.user, family=family, request=request, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("The entry is added to the timeline."))
                return redirect("families:timeline", family.id)
        status = 400
    family, access = selectors.access_family(
        request.user, family_id, parts=["timeline"], request=request
    )
    show_in_error = request.GET.get("show_in_error") == "1"
    entries = selectors.visible_entries(
        request.user, family, access, with_entered_in_error=show_in_error
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.masked_entries(page.object_list, family, access)
    for entry in page:
        entry.family = family  # the permission below reads it: no query per entry
    return render(
        request,
        "families/timeline.html",
        {
            "family": family,
            "access": access,
            "tab": "timeline",
            "page": page,
            "show_in_error": show_in_error,
            "correctable": selectors.correctable_ids(request.user, page),
            "identity": selectors.identity(family, access),
            "form": form or EntryForm(),
            "can_add": request.user.has_perm("families.add_entry", family),
        },
        status=status,
    )


@login_required
@never_cache
def entry_in_error(request, family_id, entry_id):
    """Mark a timeline entry as entered in error (its author or the lead worker). Refused
    or hidden, the answer is "not found", before anything is shown or logged."""
    entry = selectors.correctable_entry(request.user, family_id, entry_id)
    form = EnteredInErrorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_entry_entered_in_error(
                by=request.user, entry=entry, reason=form.cleaned_data["reason"], request=request
            )
        except services.IllegalTransition as error:
            return _conflict(request, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The entry is marked as entered in error."))
            return redirect("families:timeline", entry.family_id)
    family, access = selectors.access_family(
        request.user, family_id, parts=["timeline"], request=request
    )
    return render(
        request,
        "families/entry_in_error.html",
        {
            "family": family,
            "access": access,
            "tab": "timeline",
            "entry": entry,
            "form": form,
            "identity": selectors.identity(family, access),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@never_cache
def access_report(request, family_id):
    family, access = selectors.access_family(
        request.user,
        family_id,
        parts=["access_report"],
        request=request,
        perm="families.view_access_report",
    )
    page = selectors.access_report_page(family, request.GET.get("page"))
    return render(
        request,
        "families/access_report.html",
        {
            "family": family,
            "access": access,
            "tab": "access",
            "page": page,
            "identity": selectors.identity(family, access),
        },
    )


@login_required
@never_cache
def export(request, family_id, fmt):
    family, access = selectors.access_family(
        request.user,
        family_id,
        parts=["export"],
        request=request,
        purpose="export of the record",
        perm="families.export_record",
    )
    record = selectors.family_record(request.user, family, access)
    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        response = JsonResponse(record, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = (
            f'attachment; filename="family-{family.reference}-{stamp}.json"'
        )
        return response
    return render(request, "families/export.html", {"record": record, "family": family})


@login_required
@never_cache
def emergency_access(request, family_id):
    """The break-glass form answers alike whether the id names a family or not, so that
    nobody learns what exists; the attempt is logged either way."""
    family = selectors.family_for_emergency(request.user, family_id)
    already_open = family is not None and request.user.has_perm("families.view_family", family)
    if already_open:
        return redirect("families:detail", family.id)
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if family is None:
                services.record_emergency_attempt_on_unknown(
                    by=request.user, family_id=family_id, reason=reason, request=request
                )
            else:
                services.open_emergency_access(
                    by=request.user, family=family, reason=reason, request=request
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.warning(
                request,
                _(
                    "Emergency access is open for 4 hours. It is recorded "
                    "and the lead worker is told."
                ),
            )
            # An unknown id then answers "not found" like any family one may not open.
            return redirect("families:detail", family_id)
    return render(
        request,
        "families/emergency.html",
        {"form": form, "family_id": family_id},
        status=400 if request.method == "POST" else 200,
    )
