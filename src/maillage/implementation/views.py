"""Programmes-in-practice pages. HTTP only: the rules are in services.py (writes),
selectors.py (reads, a family's through the families app's rule) and permissions.py (who)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from maillage.core import csv_export
from maillage.core.errors import Conflict, IllegalTransition
from maillage.core.forms import add_service_errors
from maillage.core.permissions import require
from maillage.reviews import selectors as review_selectors

from . import charts, export, selectors, services
from .forms import (
    ActionStatusForm,
    AdaptationForm,
    DepartureForm,
    EnrolForm,
    FactorActionForm,
    FactorForm,
    FactorStatusForm,
    FileSituationForm,
    ItemForm,
    ProgrammeForm,
    SessionForm,
    SiteForm,
    StageForm,
    StepForm,
    SupervisionForm,
    SustainabilityForm,
    TrainingForm,
)
from .models import (
    ENROLMENT_TRANSITIONS,
    STAGE_HELP,
    Domain,
    EnrolmentStatus,
    ExitReason,
    FactorCategory,
    Polarity,
    Stage,
)

PAGE_SIZE = 25


def _lookup(mapping: dict, key, default):
    # Not mapping.get(): the layering test reads .get() as a query in an HTTP module.
    try:
        return mapping[key]
    except KeyError:
        return default


def handles_conflicts(view):
    """A step the transition table forbids, or a lost race, answers 409 with the reason."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (IllegalTransition, Conflict) as error:
            return render(
                request,
                "implementation/conflict.html",
                {"reason": str(error), "back": request.META.get("HTTP_REFERER", "")},
                status=409,
            )

    return wrapper


def _saved(request, form, call, message: str, to: str):
    """Runs a service; on success a message and a redirect, on bad input the errors on the
    form (None: the caller shows the page again with them, status 422)."""
    try:
        call()
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, message)
    return redirect(to)


# --- programmes ---------------------------------------------------------------------------------


@login_required
def programme_list(request):
    page = Paginator(selectors.programme_list(fetched_by=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "implementation/programme_list.html",
        {
            "page": page,
            "can_create": request.user.has_perm("implementation.manage_programme"),
            "my_sites": selectors.my_sites(request.user),
        },
    )


@login_required
def programme_create(request):
    require(request.user, "implementation.manage_programme")
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = services.create_programme(
                by=request.user,
                name_fr=data["name_fr"],
                name_en=data["name_en"],
                description=data["description"],
                planned_dose=data["planned_dose"],
                completion_threshold=data["completion_threshold"],
                core_components=form.components(),
                eligibility=data["eligibility"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The programme is created."))
            return redirect("implementation:programme", programme_id=programme.id)
    return render(
        request,
        "implementation/form_page.html",
        {
            "title": _("New programme"),
            "form": form,
            "back": reverse("implementation:programmes"),
        },
        status=422 if form.errors else 200,
    )


@login_required
def programme_detail(request, programme_id):
    programme = selectors.access_programme(request.user, programme_id)
    can_manage = request.user.has_perm("implementation.manage_site")
    site_form = SiteForm(
        request.POST if request.method == "POST" else None, teams=selectors.teams_for_choice()
    )
    if request.method == "POST":
        require(request.user, "implementation.manage_site")
        if site_form.is_valid():
            done = _saved(
                request,
                site_form,
                lambda: services.add_site(
                    by=request.user,
                    programme=programme,
                    team=site_form.cleaned_data["team"],
                    request=request,
                ),
                _("The team is now a site of the programme."),
                request.path,
            )
            if done:
                return done
    return render(
        request,
        "implementation/programme_detail.html",
        {
            "programme": programme,
            "sites": selectors.sites_of(programme),
            "adaptations": selectors.adaptations_of(programme),
            "site_form": site_form if can_manage else None,
            "can_see_dashboard": request.user.has_perm("implementation.view_dashboard", programme),
            "can_adapt": request.user.has_perm("implementation.record_adaptation"),
        },
        status=422 if site_form.errors else 200,
    )


@login_required
def adaptation_create(request, programme_id):
    programme = selectors.access_programme(request.user, programme_id)
    require(request.user, "implementation.record_adaptation")
    form = AdaptationForm(request.POST or None, components=programme.core_components)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _saved(
            request,
            form,
            lambda: services.record_adaptation(
                by=request.user, programme=programme, request=request, **data
            ),
            _("The adaptation is recorded."),
            reverse("implementation:programme", args=[programme.id]),
        )
        if done:
            return done
    return render(
        request,
        "implementation/form_page.html",
        {
            "title": _("Record an adaptation"),
            "form": form,
            "back": reverse("implementation:programme", args=[programme.id]),
        },
        status=422 if form.errors else 200,
    )


# --- sites ----------------------------------------------------------------------------------------


@login_required
def site_detail(request, site_id):
    site = selectors.access_site(request.user, site_id)
    today = timezone.localdate()
    stages = selectors.site_stages(site, today)
    capacity = selectors.site_capacity(site, today)
    can_train = request.user.has_perm("implementation.record_training", site)
    sees_log = request.user.has_perm("implementation.view_training_log", site)
    can_stage = request.user.has_perm("implementation.manage_site")
    practitioners = selectors.team_practitioners(site)
    return render(
        request,
        "implementation/site_detail.html",
        {
            "site": site,
            "programme": site.programme,
            "stages": [(s, STAGE_HELP[Stage(s.stage)]) for s in stages],
            "timeline_svg": mark_safe(charts.stage_timeline(stages, today=today)),  # noqa: S308 - built from escaped parts
            "capacity_now": _lookup(capacity.now, site.id, 0),
            "capacity_svg": mark_safe(  # noqa: S308 - built from escaped parts
                charts.bar_chart(
                    [
                        (m.strftime("%Y-%m"), v)
                        for m, v in zip(
                            capacity.months[-12:],
                            _lookup(capacity.series, site.id, [0] * len(capacity.months))[-12:],
                            strict=False,
                        )
                    ],
                    title=_("Trained practitioners in the team, by month"),
                    chart_id="capacity",
                )
            ),
            "lost": selectors.practitioners_lost(capacity, site) if sees_log else [],
            "log": selectors.site_training_log(site) if sees_log else None,
            # Three forms on one page: ids of their own (the field names stay the same).
            "stage_form": StageForm(auto_id="stage_%s") if can_stage else None,
            "training_form": (
                TrainingForm(practitioners=practitioners, auto_id="training_%s")
                if can_train
                else None
            ),
            "supervision_form": (
                SupervisionForm(practitioners=practitioners, auto_id="supervision_%s")
                if can_train
                else None
            ),
            "can_answer": request.user.has_perm("implementation.answer_sustainability", site),
            "can_see_dashboard": request.user.has_perm(
                "implementation.view_dashboard", site.programme
            ),
        },
    )


@dataclass(frozen=True)
class SiteRecord:
    """One of the records written on a site (a stage, a training…): who may, its form, the
    service that writes it, and what the page says."""

    perm: str
    form: Callable  # (site, data) -> the bound form
    service: Callable  # called with the form's cleaned data
    message: str
    title: str
    back: str = "implementation:site"


def _practitioner_form(form_class, choices=selectors.team_practitioners):
    return lambda site, data: form_class(data, practitioners=choices(site))


SITE_RECORDS = {
    "stage": SiteRecord(
        "implementation.manage_site",
        lambda site, data: StageForm(data),
        services.record_stage,
        gettext_lazy("The stage is recorded."),
        gettext_lazy("Record a stage"),
    ),
    "training": SiteRecord(
        "implementation.record_training",
        _practitioner_form(TrainingForm),
        services.record_training,
        gettext_lazy("The training is recorded."),
        gettext_lazy("Record a training"),
    ),
    "supervision": SiteRecord(
        "implementation.record_training",
        _practitioner_form(SupervisionForm),
        services.record_supervision,
        gettext_lazy("The supervision is recorded."),
        gettext_lazy("Record a supervision"),
    ),
    "departure": SiteRecord(
        "implementation.record_training",
        _practitioner_form(DepartureForm, selectors.trained_practitioners),
        services.record_departure,
        gettext_lazy("The departure is recorded: the site's trained capacity is updated."),
        gettext_lazy("Record a departure"),
        back="implementation:departures",
    ),
}


def _record_on_site(request, site_id, what: str):
    """The one way a site's records are posted: 404 for a missing site, 403 without the
    right, the form's errors (422) or the service's, else a message and back."""
    record = SITE_RECORDS[what]
    site = selectors.site_for(request.user, site_id, record.perm)
    form = record.form(site, request.POST)
    back = reverse(record.back, args=[site.id])
    if form.is_valid():
        done = _saved(
            request,
            form,
            lambda: record.service(
                by=request.user, site=site, request=request, **form.cleaned_data
            ),
            str(record.message),
            back,
        )
        if done:
            return done
    return render(
        request,
        "implementation/form_page.html",
        {"title": record.title, "form": form, "back": back},
        status=422,
    )


@login_required
@require_POST
def stage_record(request, site_id):
    return _record_on_site(request, site_id, "stage")


@login_required
@require_POST
def training_record(request, site_id):
    return _record_on_site(request, site_id, "training")


@login_required
@require_POST
def supervision_record(request, site_id):
    return _record_on_site(request, site_id, "supervision")


@login_required
def departures(request, site_id):
    """The trained practitioners who left the site, and the form to date a departure (the
    lead of its team, coordinators): its trained capacity counts them until that day."""
    if request.method == "POST":
        return _record_on_site(request, site_id, "departure")
    site = selectors.access_site(request.user, site_id)
    rows = selectors.site_departures_for(request.user, site)
    can_record = request.user.has_perm("implementation.record_training", site)
    capacity = selectors.site_capacity(site)
    return render(
        request,
        "implementation/departures.html",
        {
            "site": site,
            "programme": site.programme,
            "departures": rows,
            "capacity_now": _lookup(capacity.now, site.id, 0),
            "form": (
                DepartureForm(
                    practitioners=selectors.trained_practitioners(site),
                    initial={"left_on": timezone.localdate()},
                )
                if can_record
                else None
            ),
        },
    )


@login_required
def sustainability(request, site_id):
    site = selectors.access_site(request.user, site_id)
    require(request.user, "implementation.answer_sustainability", site)
    year = timezone.localdate().year
    items = selectors.sustainability_items()
    form = SustainabilityForm(
        request.POST or None,
        items=items,
        initial={f"item_{k}": v for k, v in selectors.my_answers(request.user, site, year).items()},
    )
    back = reverse("implementation:site", args=[site.id])
    if request.method == "POST" and form.is_valid():
        done = _saved(
            request,
            form,
            lambda: services.answer_sustainability(
                by=request.user, site=site, year=year, scores=form.scores(), request=request
            ),
            _("Your answers are saved."),
            back,
        )
        if done:
            return done
    return render(
        request,
        "implementation/form_page.html",
        {
            "title": _("Sustainability self-assessment %(year)s") % {"year": year},
            "intro": _(
                "Rate each statement from 1 (not at all) to 7 (fully), for your site as it "
                "is today."
            ),
            "form": form,
            "back": back,
        },
        status=422 if form.errors else 200,
    )


@login_required
def sustainability_items(request):
    require(request.user, "implementation.edit_sustainability_items")
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _saved(
            request,
            form,
            lambda: services.save_sustainability_item(
                by=request.user, request=request, **form.cleaned_data
            ),
            _("The statement is saved."),
            request.path,
        )
        if done:
            return done
    return render(
        request,
        "implementation/items.html",
        {"items": selectors.sustainability_items(active_only=False), "form": form},
        status=422 if form.errors else 200,
    )


@login_required
def item_edit(request, item_id):
    item = selectors.access_item(request.user, item_id)
    form = ItemForm(
        request.POST or None,
        initial={
            "domain": item.domain,
            "text_fr": item.text_fr,
            "text_en": item.text_en,
            "is_active": item.is_active,
        },
    )
    back = reverse("implementation:items")
    if request.method == "POST" and form.is_valid():
        done = _saved(
            request,
            form,
            lambda: services.save_sustainability_item(
                by=request.user, item=item, request=request, **form.cleaned_data
            ),
            _("The statement is saved."),
            back,
        )
        if done:
            return done
    return render(
        request,
        "implementation/form_page.html",
        {"title": _("Edit a statement"), "form": form, "back": back},
        status=422 if form.errors else 200,
    )


# --- a family's programmes --------------------------------------------------------------------


@login_required
def family_programmes(request, family_id):
    """The family's enrolments and sessions (its access rule; one access event), and the
    form to enrol it in a programme of a site the reader works at."""
    if request.method == "POST":
        family = selectors.family_for_enrolment(request.user, family_id)
        form = EnrolForm(request.POST, sites=_site_choices(request.user))
        if form.is_valid():
            data = form.cleaned_data
            done = _saved(
                request,
                form,
                lambda: services.enrol_family(
                    by=request.user, family=family, request=request, **data
                ),
                _("The family is enrolled."),
                request.path,
            )
            if done:
                return done
        found = selectors.family_programmes(request.user, family_id, request=request)
        return _family_page(request, found, form, status=422)
    found = selectors.family_programmes(request.user, family_id, request=request)
    form = EnrolForm(
        sites=_site_choices(request.user), initial={"referred_on": timezone.localdate()}
    )
    return _family_page(request, found, form)


def _site_choices(user):
    return selectors.site_choices(user)


def _family_page(request, found, form, status=200):
    can_work = request.user.has_perm("implementation.record_programme_work", found.family)
    return render(
        request,
        "implementation/family_programmes.html",
        {
            "found": found,
            "family": found.family,
            "label": found.label,
            "form": form if can_work else None,
        },
        status=status,
    )


@login_required
@handles_conflicts
def enrolment_detail(request, enrolment_id):
    """One enrolment: its sessions, the form for the next session and the next step."""
    if request.method == "POST":
        enrolment = selectors.enrolment_for_write(request.user, enrolment_id)
        action = request.POST.get("action", "session")
        if action == "step":
            form = StepForm(request.POST, allowed=_next_statuses(enrolment))
            if form.is_valid():
                done = _saved(
                    request,
                    form,
                    lambda: services.move_enrolment(
                        by=request.user, enrolment=enrolment, request=request, **form.cleaned_data
                    ),
                    _("The enrolment is updated."),
                    request.path,
                )
                if done:
                    return done
            session_form = SessionForm(components=enrolment.programme.core_components)
            step_form = form
        else:
            form = SessionForm(request.POST, components=enrolment.programme.core_components)
            if form.is_valid():
                data = form.cleaned_data
                done = _saved(
                    request,
                    form,
                    lambda: services.record_session(
                        by=request.user,
                        enrolment=enrolment,
                        held_on=data["held_on"],
                        attended=data["attended"],
                        components=data["components"],
                        fidelity=form.fidelity(),
                        rated_by=data["rated_by"],
                        note=data["note"],
                        request=request,
                    ),
                    _("The session is recorded."),
                    request.path,
                )
                if done:
                    return done
            session_form = form
            step_form = StepForm(
                initial={"version": enrolment.version}, allowed=_next_statuses(enrolment)
            )
        return _enrolment_page(request, enrolment_id, session_form, step_form, status=422)
    return _enrolment_page(request, enrolment_id, None, None)


def _next_statuses(enrolment) -> list[str]:
    """The statuses the enrolment may go to by hand (the first session moves it to "in
    sessions" by itself), in the table's order."""
    allowed = ENROLMENT_TRANSITIONS[EnrolmentStatus(enrolment.status)]
    return [s for s in EnrolmentStatus.values if s in allowed and s != EnrolmentStatus.IN_SESSIONS]


def _enrolment_page(request, enrolment_id, session_form, step_form, status=200):
    enrolment, _access = selectors.access_enrolment(request.user, enrolment_id, request=request)
    can_work = request.user.has_perm("implementation.record_programme_work", enrolment.family)
    components = enrolment.programme.core_components
    return render(
        request,
        "implementation/enrolment.html",
        {
            "enrolment": enrolment,
            "sessions": selectors.enrolment_sessions(enrolment),
            "is_open": selectors.is_open(enrolment),
            "session_form": (
                session_form
                or SessionForm(components=components, initial={"held_on": timezone.localdate()})
            )
            if can_work
            else None,
            "step_form": (
                step_form
                or StepForm(
                    initial={"version": enrolment.version, "on": timezone.localdate()},
                    allowed=_next_statuses(enrolment),
                )
            )
            if can_work
            else None,
        },
        status=status,
    )


# --- dashboard ------------------------------------------------------------------------------------


PRACTITIONERS_PER_PAGE = 25


def _pct(ratio) -> str:
    return "—" if ratio.value is None else f"{ratio.value * 100:.0f} %"


@login_required
def dashboard(request, programme_id):
    programme = selectors.access_programme(request.user, programme_id)
    board = selectors.dashboard(fetched_by=request.user, programme=programme)
    return _dashboard_page(request, board)


@login_required
def site_dashboard(request, site_id):
    """The dashboard's figures for one site, with its stages: for the same people as the
    programme's (aggregates only)."""
    site = selectors.access_site(request.user, site_id)
    board = selectors.dashboard(fetched_by=request.user, programme=site.programme, site=site)
    return _dashboard_page(request, board, site)


def _site_dashboard_links(sites) -> str:
    """A link to each site's dashboard, named by its team: one reverse() for all (a region's
    programme has dozens of sites, and reverse() is the slow part of a link)."""
    placeholder = "00000000-0000-0000-0000-000000000000"
    pattern = reverse("implementation:site_dashboard", args=[placeholder])
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((pattern.replace(placeholder, str(s.id)), s.team.name) for s in sites),
    )


# The tables with a row per site are joined here, each value escaped, rather than in the
# template: a region's programme has dozens of sites, and the template engine's loop spent
# more on them than the database on the whole page's figures.
_FIDELITY_SITE_ROW = "<tr><td>{}</td><td>{}</td></tr>"
_CAPACITY_ROW = '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>'


def _two_places(value: float) -> str:
    """A mean with two decimals in the page's language (as floatformat:2, at a fraction of
    its cost for a table of hundreds)."""
    return f"{value:.2f}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def _dashboard_page(request, board, site=None):
    programme = board.programme
    names = {s.id: s.team.name for s in board.sites}
    today = timezone.localdate()
    stages = _lookup(board.stages, site.id, []) if site else []
    years = sorted({year for year, _d in board.sustainability})
    latest = years[-1] if years else None
    return render(
        request,
        "implementation/dashboard.html",
        {
            "programme": programme,
            "site": site,
            "stages": [(s, STAGE_HELP[Stage(s.stage)]) for s in stages],
            "timeline_svg": (
                mark_safe(charts.stage_timeline(stages, today=today)) if site else ""  # noqa: S308 - built from escaped parts
            ),
            "board": board,
            "pct": {
                "reach": _pct(board.reach),
                "completion": _pct(board.completion),
                "no_shows": _pct(board.no_shows),
                "rated": _pct(board.share_rated),
            },
            "exit_rows": [(ExitReason(k).label, v) for k, v in sorted(board.exit_reasons.items())],
            "site_links": _site_dashboard_links(board.sites),
            "fidelity_sites": format_html_join(
                "",
                _FIDELITY_SITE_ROW,
                (
                    (_lookup(names, k, ""), _two_places(v))
                    for k, v in board.fidelity_by_site.items()
                ),
            ),
            # A page of practitioners at a time: a region's programme has hundreds (the CSV
            # export has them all).
            "fidelity_people": Paginator(
                board.fidelity_by_practitioner, PRACTITIONERS_PER_PAGE
            ).get_page(request.GET.get("page")),
            # Trained today, and trained but gone (a count: the names are the training log's).
            "capacity_rows": format_html_join(
                "",
                _CAPACITY_ROW,
                (
                    (_lookup(names, k, ""), v, len(_lookup(board.capacity.lost, k, [])))
                    for k, v in board.capacity.now.items()
                ),
            ),
            "sustainability_rows": [
                (year, Domain(d).label, m) for (year, d), m in board.sustainability.items()
            ],
            "register_rows": [
                (FactorCategory(c).label, Polarity(p).label, n)
                for (c, p), n in sorted(board.register["category"].items())
            ],
            "dose_svg": mark_safe(  # noqa: S308 - built from escaped parts
                charts.bar_chart(
                    board.distribution,
                    title=_("Families by number of sessions received"),
                    chart_id="dose",
                )
            ),
            "trend_svg": mark_safe(  # noqa: S308 - built from escaped parts
                charts.bar_chart(
                    [(charts.quarter_label(q), m) for q, m, _n in board.fidelity_trend],
                    title=_("Mean fidelity by quarter (1–5)"),
                    chart_id="fidelity",
                    places=2,
                )
            ),
            "sustainability_svg": mark_safe(  # noqa: S308 - built from escaped parts
                charts.interval_chart(
                    [
                        (f"{year} — {Domain(d).label}", m)
                        for (year, d), m in board.sustainability.items()
                        if year == latest
                    ],
                    # xgettext:no-python-format
                    title=_("Sustainability by domain (mean and 95 % interval, 1–7)"),
                    low=1,
                    high=7,
                    chart_id="sustainability",
                )
            ),
            "capacity_svg": mark_safe(  # noqa: S308 - built from escaped parts
                charts.bar_chart(
                    [(_lookup(names, k, "")[:9], v) for k, v in board.capacity.now.items()],
                    title=_("Trained practitioners in each site today"),
                    chart_id="capacity",
                )
            ),
        },
    )


@login_required
def dashboard_csv(request, programme_id):
    programme = selectors.access_programme(request.user, programme_id)
    board = selectors.dashboard(fetched_by=request.user, programme=programme)
    return csv_export.response(export.dashboard_csv(board), "programme-dashboard.csv")


# --- register -------------------------------------------------------------------------------------


@login_required
def register(request):
    filters = selectors.RegisterFilters(
        polarity=request.GET.get("polarity", ""),
        category=request.GET.get("category", ""),
        status=request.GET.get("status", ""),
    )
    page = Paginator(
        selectors.factor_list(fetched_by=request.user, filters=filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    can_add = request.user.has_perm("implementation.add_to_register")
    form = FactorForm(
        request.POST if request.method == "POST" else None,
        programmes=selectors.programmes_for_choice(),
    )
    if request.method == "POST":
        require(request.user, "implementation.add_to_register")
        if form.is_valid():
            done = _saved(
                request,
                form,
                lambda: services.add_factor(by=request.user, request=request, **form.cleaned_data),
                _("The entry is added to the register."),
                request.path,
            )
            if done:
                return done
    counts = selectors.register_figures(fetched_by=request.user)
    return render(
        request,
        "implementation/register.html",
        {
            "page": page,
            "filters": filters,
            "form": form if can_add else None,
            "category_rows": [
                (FactorCategory(c).label, Polarity(p).label, n)
                for (c, p), n in sorted(counts["category"].items())
            ],
            "polarities": Polarity.choices,
            "categories": FactorCategory.choices,
        },
        status=422 if form.errors else 200,
    )


@login_required
@handles_conflicts
def factor_detail(request, factor_id):
    factor = selectors.access_factor(request.user, factor_id)
    can_manage = request.user.has_perm("implementation.manage_register")
    action_form = FactorActionForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        require(request.user, "implementation.manage_register")
        what = request.POST.get("action")
        if what == "status":
            form = FactorStatusForm(request.POST)
            if form.is_valid():
                services.move_factor(
                    by=request.user, factor=factor, to=form.cleaned_data["to"], request=request
                )
                return redirect(request.path)
        elif what == "action_status":
            action = selectors.access_factor_action(request.user, request.POST.get("action_id"))
            form = ActionStatusForm(request.POST)
            if form.is_valid():
                services.move_factor_action(
                    by=request.user, action=action, to=form.cleaned_data["to"], request=request
                )
                return redirect(request.path)
        elif action_form.is_valid():
            done = _saved(
                request,
                action_form,
                lambda: services.add_factor_action(
                    by=request.user, factor=factor, request=request, **action_form.cleaned_data
                ),
                _("The action is added."),
                request.path,
            )
            if done:
                return done
    return render(
        request,
        "implementation/factor.html",
        {
            "factor": factor,
            "actions": selectors.factor_actions(factor),
            "can_manage": can_manage,
            "action_form": action_form,
            "status_form": FactorStatusForm(initial={"to": factor.status}),
            "action_status_form": ActionStatusForm(),
        },
        status=422 if action_form.errors else 200,
    )


@login_required
@require_POST
@handles_conflicts
def file_situation(request, situation_id):
    """The moderator files an analysed malfunction into the register, in one step."""
    situation = review_selectors.access_situation_by_id(request.user, situation_id)
    require(request.user, "reviews.moderate", situation)
    form = FileSituationForm(request.POST)
    category = form.cleaned_data["category"] if form.is_valid() else FactorCategory.ORGANIZATIONAL
    factor = services.file_malfunction(
        by=request.user, situation=situation, category=category, request=request
    )
    messages.success(request, _("The malfunction is filed in the register."))
    return redirect("implementation:factor", factor_id=factor.id)
