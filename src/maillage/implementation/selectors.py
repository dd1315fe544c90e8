"""Every read of programmes in practice, scoped to the reader.

Professional information (programmes, sites, stages) is read by every active account. A
family's enrolment and sessions are read only through the families app's selectors
(access_family: the family's one access rule, one access event, 404 when not visible). The
dashboard lets the database count and average in a fixed number of queries (a few rows per
site, practitioner, quarter or number of sessions, never one per family or session) and
leaves the rest of the arithmetic to figures.py: no family is named in it.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, UUIDField
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core.models import User
from maillage.core.permissions import require
from maillage.directory.models import Membership, Practitioner, Team
from maillage.families import selectors as family_selectors
from maillage.families.models import Category, Family
from maillage.families.permissions import FamilyAccess, family_access

from . import figures
from .models import (
    OPEN_ENROLMENT,
    STAGE_ORDER,
    TRAINED_BY,
    Adaptation,
    Departure,
    Enrolment,
    Factor,
    FactorAction,
    Programme,
    ProgrammeSession,
    Site,
    SiteStage,
    Supervision,
    SustainabilityAnswer,
    SustainabilityItem,
    TrainingRecord,
)

PROGRAMME_PART = "programmes"


def _get(model, object_id, **related):
    try:
        return model.objects.select_related(*related.get("select", ())).get(id=object_id)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- programmes and sites -------------------------------------------------------------------


def programme_list(*, fetched_by: User) -> QuerySet[Programme]:
    require(fetched_by, "implementation.view_programmes", hide=True)
    return Programme.objects.annotate(site_count=Count("sites", distinct=True)).order_by(
        "name_fr", "id"
    )


def access_programme(user: User, programme_id) -> Programme:
    require(user, "implementation.view_programmes", hide=True)
    return _get(Programme, programme_id)


def sites_of(programme: Programme) -> list[Site]:
    """The programme's sites, each with its stages and `current_stage` (the latest begun)."""
    sites = list(
        programme.sites.select_related("team__organization").prefetch_related(
            Prefetch("stages", queryset=SiteStage.objects.order_by("started_on"))
        )
    )
    for site in sites:
        stages = list(site.stages.all())
        site.current_stage = stages[-1] if stages else None  # type: ignore[attr-defined]
    return sites


def access_site(user: User, site_id) -> Site:
    require(user, "implementation.view_programmes", hide=True)
    return _get(Site, site_id, select=("programme", "team__organization"))


def site_for(user: User, site_id, perm: str) -> Site:
    """A site for a write: 404 when missing, 403 unless the user holds `perm` on it (asked
    before the body is looked at, so a refusal tells nothing of the team)."""
    site = access_site(user, site_id)
    require(user, perm, None if perm == "implementation.manage_site" else site)
    return site


def site_stages(site: Site, today: date | None = None) -> list[figures.StageFigure]:
    return figures.stage_figures(site.stages.all(), STAGE_ORDER, today or timezone.localdate())


def site_training_log(site: Site) -> dict:
    """Named: only for readers holding implementation.view_training_log on the site."""
    return {
        "trainings": list(site.trainings.select_related("practitioner")[:100]),
        "supervisions": list(site.supervisions.select_related("practitioner", "supervisor")[:100]),
    }


def site_capacity(site: Site, today: date | None = None) -> figures.Capacity:
    today = today or timezone.localdate()
    return _capacity([site], today)


def _capacity(sites: list[Site], today: date, *, over_time: bool = True) -> figures.Capacity:
    """Trained practitioners per site today, lost, and (over_time) at the end of each month
    of the last three years: the site's page draws that; the dashboard shows today's."""
    site_ids = [s.id for s in sites]
    team_of = {s.id: s.team_id for s in sites}
    trainings = list(
        TrainingRecord.objects.filter(site_id__in=site_ids).values_list(
            "site_id", "practitioner_id", "kind", "on"
        )
    )
    by_team: dict = {}
    for team_id, practitioner_id in Membership.objects.filter(
        team_id__in=set(team_of.values())
    ).values_list("team_id", "practitioner_id"):
        by_team.setdefault(team_id, set()).add(practitioner_id)
    members = [(s, p) for s, t in team_of.items() for p in by_team.get(t, ())]
    departures = list(
        Departure.objects.filter(site_id__in=site_ids).values_list(
            "site_id", "practitioner_id", "left_on"
        )
    )
    first = min((row[3] for row in trainings), default=today)
    return figures.trained_capacity(
        trainings=trainings,
        members=members,
        departures=departures,
        months=(
            figures.month_range(max(first, date(today.year - 3, today.month, 1)), today)
            if over_time
            else []
        ),
        today=today,
    )


def practitioners_lost(capacity: figures.Capacity, site: Site) -> list[Practitioner]:
    """The trained practitioners who left the site's team (professional information)."""
    ids = capacity.lost.get(site.id, [])
    return list(Practitioner.objects.filter(id__in=ids)) if ids else []


def team_practitioners(site: Site) -> QuerySet[Practitioner]:
    return Practitioner.objects.filter(memberships__team_id=site.team_id).order_by(
        "last_name", "first_name"
    )


def site_member(site: Site, practitioner_id, *, field: str = "practitioner") -> Practitioner:
    """A practitioner of the site's team, named by an API client: anyone else is bad input
    naming the field (the directory is read by every account: nothing is revealed)."""
    found = team_practitioners(site).filter(id=practitioner_id).first()
    if found is None:
        raise ValidationError({field: _("This practitioner is not a member of the site's team.")})
    return found


def trained_practitioners(site: Site) -> QuerySet[Practitioner]:
    """Practitioners trained at the site, still in its team or not (whose departure may be
    recorded once their membership ended)."""
    return (
        Practitioner.objects.filter(
            id__in=TrainingRecord.objects.filter(site=site).values("practitioner_id")
        )
        .order_by("last_name", "first_name")
        .distinct()
    )


def trained_practitioner(
    site: Site, practitioner_id, *, field: str = "practitioner"
) -> Practitioner:
    found = trained_practitioners(site).filter(id=practitioner_id).first()
    if found is None:
        raise ValidationError({field: _("This practitioner has no training recorded at the site.")})
    return found


def site_departures_for(user: User, site: Site) -> list[Departure]:
    """Named: for readers holding implementation.view_training_log on the site (403
    otherwise: the site itself is public)."""
    require(user, "implementation.view_training_log", site)
    return site_departures(site)


def site_departures(site: Site) -> list[Departure]:
    """Named: only for readers holding implementation.view_training_log on the site."""
    return list(site.departures.select_related("practitioner").order_by("-left_on")[:100])


def site_of_programme_work(site_id, *, field: str = "site") -> Site:
    """The site an API client enrols a family at: unknown is bad input naming the field
    (sites are read by every account); working there is the service's check."""
    found = Site.objects.select_related("programme", "team").filter(id=site_id).first()
    if found is None:
        raise ValidationError({field: _("Unknown site.")})
    return found


def teams_for_choice() -> QuerySet[Team]:
    return Team.objects.select_related("organization").order_by("name")


def adaptations_of(programme: Programme) -> list[Adaptation]:
    return list(programme.adaptations.select_related("site__team")[:100])


def my_sites(user: User, programme: Programme | None = None) -> list[Site]:
    """The sites whose team the user works in (where they may enrol families)."""
    sites = Site.objects.filter(team__memberships__practitioner__user=user).select_related(
        "programme", "team"
    )
    if programme is not None:
        sites = sites.filter(programme=programme)
    return list(sites.distinct().order_by("programme__name_fr", "team__name"))


def site_choices(user: User) -> QuerySet[Site]:
    """The sites a practitioner may enrol families at (a form's choices)."""
    return (
        Site.objects.filter(team__memberships__practitioner__user=user)
        .select_related("programme", "team")
        .distinct()
        .order_by("programme__name_fr", "team__name")
    )


# --- a family's enrolments and sessions (the family's rule) ------------------------------------


@dataclass
class FamilyProgrammes:
    family: Family
    access: FamilyAccess
    label: str
    enrolments: list[Enrolment]


def family_programmes(user: User, family_id, *, request=None) -> FamilyProgrammes:
    """The family's enrolments with their sessions and ratings, as this reader may see
    them: the families app decides (programme data is of the "plan" category), the read is
    logged once, and a family the reader may not see is "not found"."""
    family, access = family_selectors.access_family(
        user,
        family_id,
        parts=[PROGRAMME_PART, Category.PLAN],
        category=Category.PLAN,
        request=request,
        purpose="programmes",
    )
    enrolments = list(
        Enrolment.objects.filter(family=family)
        .select_related("programme", "site__team")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=ProgrammeSession.objects.select_related("practitioner").prefetch_related(
                    "ratings"
                ),
            )
        )
        .order_by("-referred_on", "-created_at")
    )
    return FamilyProgrammes(
        family, access, family_selectors.family_label(family, access), enrolments
    )


def access_enrolment(user: User, enrolment_id, *, request=None) -> tuple[Enrolment, FamilyAccess]:
    """One enrolment, through its family's rule (logged; 404 when the family is hidden)."""
    enrolment = _get(Enrolment, enrolment_id, select=("programme", "site__team"))
    family, access = family_selectors.access_family(
        user,
        enrolment.family_id,
        parts=[PROGRAMME_PART, Category.PLAN],
        category=Category.PLAN,
        request=request,
        purpose="programmes",
    )
    enrolment.family = family
    enrolment.family_label = family_selectors.family_label(family, access)
    return enrolment, access


def family_for_enrolment(user: User, family_id) -> Family:
    """The family for a write (enrolling it): 404 unless the reader may see it and do
    programme work for it. The write logs its own event."""
    return family_selectors.family_for_write(
        user, family_id, "implementation.record_programme_work"
    )


def family_for_api_enrolment(user: User, family_id) -> Family:
    """The family an API client enrols: 404 when it (or its plan, where programme data
    belongs) is hidden from them, 403 when they see it but may not do programme work for it
    (the API's answer to a forbidden action on a visible object)."""
    family = family_selectors.family_visible(user, family_id, category=Category.PLAN)
    require(user, "implementation.record_programme_work", family)
    return family


def enrolment_for_write(user: User, enrolment_id) -> Enrolment:
    """An enrolment for a write (a session, a step): 404 unless its family is visible to the
    user and they may do programme work for it."""
    enrolment = _get(Enrolment, enrolment_id, select=("programme", "site__team", "family"))
    family_selectors.family_for_write(
        user, enrolment.family_id, "implementation.record_programme_work"
    )
    return enrolment


def enrolment_sessions(enrolment: Enrolment) -> list[ProgrammeSession]:
    return list(enrolment.sessions.select_related("practitioner").prefetch_related("ratings"))


def is_open(enrolment: Enrolment) -> bool:
    return enrolment.status in OPEN_ENROLMENT


def sees_family_programmes(user: User, family: Family) -> bool:
    return family_access(user, family).sees(Category.PLAN)


# --- dashboard ---------------------------------------------------------------------------------


@dataclass
class Dashboard:
    programme: Programme
    sites: list[Site]
    reach: figures.Ratio
    days_to_first: figures.Summary
    per_family: figures.Summary
    distribution: list
    completion: figures.Ratio
    no_shows: figures.Ratio
    exit_reasons: object
    statuses: object
    share_rated: figures.Ratio
    fidelity_by_site: dict
    fidelity_by_practitioner: "PractitionersFidelity"
    fidelity_trend: list
    capacity: figures.Capacity
    sustainability: dict
    register: dict
    stages: dict


# Ids in raw SQL as the ORM would pass them (SQLite keeps UUIDs as text) and read them.
_UUID = UUIDField()

# The enrolments by status, exit reason and eligibility (with how many of them have an
# enrolment date), how many enrolled families came to 0, 1, 2… sessions, and how many waited
# 0, 1, 2… days from their referral to their first session: from their running counts per
# site (tallies.py), so no enrolment is read. A family counts where it was enrolled.
_ENROLMENT_FIGURES_SQL = """
SELECT 'group', t.status, t.exit_reason, t.eligible, SUM(t.families),
       SUM(CASE WHEN t.enrolled THEN t.families ELSE 0 END)
FROM implementation_enrolmenttally t WHERE t.site_id {sites}
GROUP BY t.status, t.exit_reason, t.eligible HAVING SUM(t.families) > 0
UNION ALL
SELECT 'dose', NULL, NULL, NULL, t.sessions, SUM(t.families)
FROM implementation_dosetally t WHERE t.site_id {sites}
GROUP BY t.sessions HAVING SUM(t.families) > 0
UNION ALL
SELECT 'days', NULL, NULL, NULL, t.days, SUM(t.families)
FROM implementation_waittally t WHERE t.site_id {sites}
GROUP BY t.days HAVING SUM(t.families) > 0
"""

# The totals of sessions, and the mean fidelity of rated sessions (the mean of their means:
# the sum of their fidelity ÷ how many) by site and by quarter, from the sessions' running
# counts per site and quarter (tallies.py). The 'all' row's third column is how many
# practitioners have a rated session, from their counts per site and practitioner: the
# practitioners' table is read a page at a time (_PRACTITIONERS_PAGE_SQL).
_SESSION_FIGURES_SQL = """
SELECT 'all', NULL,
       (SELECT COUNT(DISTINCT p.practitioner_id) FROM implementation_practitionertally p
        WHERE p.site_id {sites} AND p.rated > 0),
       CAST(NULL AS integer), SUM(t.sessions),
       SUM(t.sessions - t.attended), SUM(t.attended), SUM(t.rated), NULL
FROM implementation_quartertally t WHERE t.site_id {sites}
UNION ALL
SELECT 'site', t.site_id, NULL, NULL, SUM(t.rated), NULL, NULL, NULL,
       SUM(t.fidelity_sum) / SUM(t.rated)
FROM implementation_quartertally t WHERE t.site_id {sites} AND t.rated > 0 GROUP BY t.site_id
UNION ALL
SELECT 'quarter', NULL, t.year, t.quarter, SUM(t.rated), NULL, NULL, NULL,
       SUM(t.fidelity_sum) / SUM(t.rated)
FROM implementation_quartertally t WHERE t.site_id {sites} AND t.rated > 0
GROUP BY t.year, t.quarter
"""


# One page of the practitioners' mean fidelity (the mean of their rated sessions' means),
# in the order of their names as shown (first name, last name).
_PRACTITIONERS_PAGE_SQL = """
SELECT p.id, p.first_name, p.last_name, SUM(t.fidelity_sum) / SUM(t.rated)
FROM implementation_practitionertally t
JOIN directory_practitioner p ON p.id = t.practitioner_id
WHERE t.site_id {sites} AND t.rated > 0
GROUP BY p.id, p.first_name, p.last_name
ORDER BY p.first_name, p.last_name, p.id
LIMIT %s OFFSET %s
"""


# Today's trained capacity (figures.trained_capacity's rule for today, in the database: the
# dashboard shows no months). A practitioner trained at a site (a first training or a
# certification) is gone when no longer in the site's team, or when their departure is
# dated today or earlier; otherwise they count. One row per site with its count, then one
# row per practitioner gone (few: departures).
_CAPACITY_TODAY_SQL = """
WITH trained AS (
  SELECT DISTINCT r.site_id, r.practitioner_id FROM implementation_trainingrecord r
  WHERE r.site_id {sites} AND r.kind IN ({trained_by})
), placed AS (
  SELECT t.site_id, t.practitioner_id,
         CASE WHEN m.id IS NULL OR d.left_on <= {today} THEN 1 ELSE 0 END AS gone
  FROM trained t
  JOIN implementation_site s ON s.id = t.site_id
  LEFT JOIN directory_membership m
    ON m.team_id = s.team_id AND m.practitioner_id = t.practitioner_id
  LEFT JOIN implementation_departure d
    ON d.site_id = t.site_id AND d.practitioner_id = t.practitioner_id
)
SELECT site_id, NULL, SUM(1 - gone) FROM placed GROUP BY site_id
UNION ALL
SELECT site_id, practitioner_id, NULL FROM placed WHERE gone = 1
"""


# Each respondent (assessment) has one score per domain, the mean of their answers, kept
# with their answers (tallies.py); per year and domain, how many respondents, the sum of
# those scores and of their squares.
_SUSTAINABILITY_SQL = """
SELECT a.year, d.domain, COUNT(*), SUM(d.mean), SUM(d.mean * d.mean)
FROM implementation_domainscore d
JOIN implementation_sustainabilityassessment a ON a.id = d.assessment_id
WHERE a.site_id {sites}
GROUP BY a.year, d.domain
"""


def _dashboard_sql(
    template: str, programme: Programme, site: Site | None, **values
) -> tuple[str, list]:
    """The statement for the programme's sites, or one of them, with its parameters in
    their order: one for each {sites}, and each of `values` by its name (a list or tuple: one
    parameter per item, a date: as the database stores it)."""
    if site is None:
        sites = "IN (SELECT id FROM implementation_site WHERE programme_id = %s)"
        chosen = _UUID.get_db_prep_value(programme.id, connection)
    else:
        sites = "= %s"
        chosen = _UUID.get_db_prep_value(site.id, connection)
    params: list = []
    for name in re.findall(r"\{(\w+)\}", template):
        if name == "sites":
            params.append(chosen)
        elif name in values:
            value = values[name]
            if isinstance(value, list | tuple):
                params.extend(value)
            elif isinstance(value, date):
                params.append(connection.ops.adapt_datefield_value(value))
            else:
                params.append(value)
    placeholders = {
        name: ", ".join(["%s"] * len(v)) if isinstance(v, list | tuple) else "%s"
        for name, v in values.items()
    }
    return template.format(sites=sites, **placeholders), params


def _capacity_today(programme: Programme, site: Site | None, today: date) -> figures.Capacity:
    """Trained practitioners in each site's team today, and those who left: as
    `_capacity(..., over_time=False)` computes them from every training, member and
    departure, without reading those rows (a region's programme has hundreds)."""
    now: dict = {}
    lost: dict = {}
    trained_by = [kind.value for kind in TRAINED_BY]
    sql, params = _dashboard_sql(
        _CAPACITY_TODAY_SQL, programme, site, trained_by=trained_by, today=today
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for site_id, practitioner_id, count in cursor.fetchall():
            site_id = _UUID.to_python(site_id)
            if practitioner_id is None:
                now[site_id] = int(count)
            else:
                lost.setdefault(site_id, []).append(_UUID.to_python(practitioner_id))
    return figures.Capacity(
        months=[], series={}, now={k: now[k] for k in sorted(now, key=str)}, lost=lost
    )


def _enrolment_figures(programme: Programme, site: Site | None) -> tuple[list, dict, dict]:
    """([figures.EnrolmentGroup], {sessions attended: enrolled families},
    {days to first session: families})."""
    groups: list = []
    per_family: dict = {}
    days: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(*_dashboard_sql(_ENROLMENT_FIGURES_SQL, programme, site))
        for kind, status, exit_reason, eligible, value, families in cursor.fetchall():
            if kind == "group":
                groups.append(
                    figures.EnrolmentGroup(
                        status, exit_reason, bool(eligible), int(value), int(families)
                    )
                )
            else:
                (per_family if kind == "dose" else days)[int(value)] = int(families)
    return groups, per_family, days


class PractitionerFidelity(NamedTuple):
    id: Any
    name: str  # as str(Practitioner)
    mean: float


class PractitionersFidelity:
    """The practitioners' mean fidelity, in the order of their names, read a slice at a time
    (a Paginator's page: a region's programme has hundreds of practitioners). Its length is
    known from the dashboard's totals; each slice is one query."""

    def __init__(self, programme: Programme, site: Site | None, count: int):
        self.programme, self.site, self.count = programme, site, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, part: slice) -> list[PractitionerFidelity]:
        start, stop, _step = part.indices(self.count)
        if stop <= start:
            return []
        sql, params = _dashboard_sql(_PRACTITIONERS_PAGE_SQL, self.programme, self.site)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, stop - start, start])
            rows = cursor.fetchall()
        return [
            PractitionerFidelity(_UUID.to_python(pk), f"{first} {last}", float(mean))
            for pk, first, last, mean in rows
        ]

    def all(self) -> list[PractitionerFidelity]:
        return self[0 : self.count]


@dataclass
class _SessionFigures:
    totals: figures.SessionTotals
    by_site: dict
    practitioners: int  # with a rated session
    trend: list


def _session_figures(programme: Programme, site: Site | None) -> _SessionFigures:
    found = _SessionFigures(figures.SessionTotals(0, 0, 0, 0), {}, 0, [])
    with connection.cursor() as cursor:
        cursor.execute(*_dashboard_sql(_SESSION_FIGURES_SQL, programme, site))
        rows = cursor.fetchall()
    for kind, key, year, quarter, sessions, missed, attended, rated, fidelity in rows:
        if kind == "all":
            found.totals = figures.SessionTotals(
                sessions or 0, missed or 0, attended or 0, rated or 0
            )
            found.practitioners = year or 0
        elif kind == "quarter":
            found.trend.append(((year, quarter), float(fidelity), sessions))
        else:
            # A key as the ORM reads it (a UUID, also from SQLite's text).
            found.by_site[_UUID.to_python(key)] = float(fidelity)
    found.trend.sort()
    return found


def dashboard(
    *, fetched_by: User, programme: Programme, site: Site | None = None, today: date | None = None
) -> Dashboard:
    """Every figure of the programme (or of one of its sites) in a fixed number of queries,
    whatever the number of families, sessions or answers: the database aggregates, and
    returns counts and means, never a row per family or per session (nor a family's name)."""
    require(fetched_by, "implementation.view_dashboard", programme, hide=True)
    today = today or timezone.localdate()
    # The sites' names; their stages only for one site's dashboard (the programme's shows none).
    sites = list(programme.sites.select_related("team").only("id", "programme_id", "team__name"))
    groups, per_family_counts, days_counts = _enrolment_figures(programme, site)
    per_family = figures.Summary.of_counts(per_family_counts)
    sessions = _session_figures(programme, site)
    with connection.cursor() as cursor:
        cursor.execute(*_dashboard_sql(_SUSTAINABILITY_SQL, programme, site))
        respondent_sums = cursor.fetchall()
    factors = Factor.objects.filter(Q(programme=programme) | Q(programme__isnull=True))
    return Dashboard(
        programme=programme,
        sites=sites,
        reach=figures.reach(groups),
        days_to_first=figures.Summary.of_counts(days_counts),
        per_family=per_family,
        distribution=figures.dose_distribution(per_family, programme.planned_dose),
        completion=figures.completion(per_family, programme.completion_at),
        no_shows=figures.no_shows(sessions.totals),
        exit_reasons=figures.exit_reasons(groups),
        statuses=figures.status_counts(groups),
        share_rated=figures.share_rated(sessions.totals),
        fidelity_by_site=sessions.by_site,
        fidelity_by_practitioner=PractitionersFidelity(programme, site, sessions.practitioners),
        fidelity_trend=sessions.trend,
        capacity=_capacity_today(programme, site, today),
        sustainability=figures.domain_means(respondent_sums),
        register=figures.register_counts(
            (polarity, category, [c for c in sectors.split(",") if c], heard_on)
            for polarity, category, sectors, heard_on in factors.order_by().values_list(
                "polarity", "category", "sectors", "heard_on"
            )
        ),
        stages=(
            {site.id: figures.stage_figures(site.stages.all(), STAGE_ORDER, today)} if site else {}
        ),
    )


# --- sustainability ----------------------------------------------------------------------------


def sustainability_items(*, active_only: bool = True) -> list[SustainabilityItem]:
    items = SustainabilityItem.objects.all()
    if active_only:
        items = items.filter(is_active=True)
    return list(items.order_by("position", "created_at"))


def access_item(user: User, item_id) -> SustainabilityItem:
    require(user, "implementation.edit_sustainability_items", hide=True)
    return _get(SustainabilityItem, item_id)


def my_answers(user: User, site: Site, year: int) -> dict:
    return {
        str(item_id): score
        for item_id, score in SustainabilityAnswer.objects.filter(
            assessment__site=site, assessment__year=year, assessment__respondent=user
        ).values_list("item_id", "score")
    }


# --- register ----------------------------------------------------------------------------------


@dataclass
class RegisterFilters:
    polarity: str = ""
    category: str = ""
    status: str = ""
    programme_id: str = ""


def factor_list(*, fetched_by: User, filters: RegisterFilters) -> QuerySet[Factor]:
    require(fetched_by, "implementation.view_register", hide=True)
    factors = Factor.objects.select_related("programme").prefetch_related("teams", "actions")
    if filters.polarity:
        factors = factors.filter(polarity=filters.polarity)
    if filters.category:
        factors = factors.filter(category=filters.category)
    if filters.status:
        factors = factors.filter(status=filters.status)
    if filters.programme_id:
        factors = factors.filter(programme_id=filters.programme_id)
    return factors.order_by("-heard_on", "-created_at", "id")


def register_figures(*, fetched_by: User) -> dict:
    require(fetched_by, "implementation.view_register", hide=True)
    return figures.register_counts(
        (polarity, category, [c for c in sectors.split(",") if c], heard_on)
        for polarity, category, sectors, heard_on in Factor.objects.order_by().values_list(
            "polarity", "category", "sectors", "heard_on"
        )
    )


def access_factor(user: User, factor_id) -> Factor:
    require(user, "implementation.view_register", hide=True)
    factor = _get(Factor, factor_id, select=("programme", "situation"))
    return factor


def factor_actions(factor: Factor) -> list[FactorAction]:
    return list(factor.actions.select_related("owner_organization"))


def access_factor_action(user: User, action_id) -> FactorAction:
    require(user, "implementation.view_register", hide=True)
    return _get(FactorAction, action_id, select=("factor",))


def programmes_for_choice() -> QuerySet[Programme]:
    return Programme.objects.order_by("name_fr")


def supervision_count(site: Site) -> int:
    return Supervision.objects.filter(site=site).count()
