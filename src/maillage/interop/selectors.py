"""Every read the FHIR endpoint makes, as the reader may see it.

What a reader may see of a family is asked of the families app (permissions: the one
rule); single reads go through families.selectors.access_family and
referrals.selectors.access_referral, which log exactly one access event; a search page
logs one access event per family it shows (families.selectors.log_listing). A resource
hidden from the reader is "not found", like a missing one. Searches page by id
(`_cursor`), so that walking the `next` links returns every row exactly once.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils.translation import gettext as _

from maillage.audit.models import AuditEvent
from maillage.core.models import User
from maillage.core.permissions import require
from maillage.directory.models import Membership, Organization, Practitioner, ServiceOffer, Team
from maillage.families import selectors as families
from maillage.families.models import Caregiver, Category, Child, Consent, Family, Goal
from maillage.families.permissions import (
    FamilyAccess,
    accesses,
    accesses_as_member,
)
from maillage.referrals import selectors as referrals
from maillage.referrals.models import Referral, ReferralEvent, Status

from . import codes, resources
from .search import SearchParams
from .validation import InvalidResource

FHIR = "fhir"
# An access report's search counts its matches up to this many; beyond, no total.
REPORT_TOTAL_CAP = 1000


@dataclass
class Found:
    """A page of a search: its resources, the number of matches, the next page's key."""

    resources: list[dict]
    total: int | None  # None: more than the search counts (REPORT_TOTAL_CAP)
    next_cursor: str | None


def _uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def _filtered(qs: QuerySet, q: SearchParams, updated: str | None = "updated_at") -> QuerySet:
    if q.ids is not None:
        qs = qs.filter(id__in=q.ids)
    if updated and q.updated_after:
        qs = qs.filter(**{f"{updated}__gt": q.updated_after})
    if updated and q.updated_before:
        qs = qs.filter(**{f"{updated}__lt": q.updated_before})
    return qs


def _page_ids(
    querysets: Iterable[QuerySet], q: SearchParams, updated="updated_at", counted: bool = True
):
    """The ids of one page over one or more tables, in id order, from the cursor on, and
    the number of matches (0 unless `counted`)."""
    found: list = []
    total = 0
    for qs in querysets:
        qs = _filtered(qs, q, updated)
        if counted:
            total += qs.count()
        if q.cursor:
            qs = qs.filter(id__gt=q.cursor)
        found += list(qs.order_by("id").values_list("id", flat=True)[: q.count + 1])
    found.sort()
    page = found[: q.count]
    more = len(found) > q.count
    return page, total, (str(page[-1]) if more and page else None)


def _in_order(objects, ids) -> list:
    by_id = {o.pk: o for o in objects}
    return [by_id[i] for i in ids if i in by_id]


# --- the directory: every active account reads it ----------------------------------------


def _directory(user: User) -> None:
    require(user, "directory.view_directory", hide=True)


def read_organization(user: User, resource_id, *, request=None) -> dict:
    _directory(user)
    pk = _uuid(resource_id)
    org = Organization.objects.filter(id=pk).first()
    if org is not None:
        return resources.organization(org)
    item = Team.objects.select_related("organization").filter(id=pk).first()
    if item is None:
        raise Http404
    return resources.team(item)


def search_organizations(user: User, q: SearchParams, *, request=None) -> Found:
    _directory(user)
    kinds = q.tokens("type")
    tables: list[QuerySet] = []
    wants_teams = kinds is None or any(k.rsplit("|", 1)[-1] == "team" for k in kinds)
    wants_orgs = kinds is None or any(k.rsplit("|", 1)[-1] != "team" for k in kinds)
    if wants_orgs:
        orgs = Organization.objects.all()
        if kinds is not None:
            orgs = orgs.filter(
                sector__in=[
                    s
                    for s, t in codes.ORGANIZATION_TYPE_OF_SECTOR.items()
                    if t in {k.rsplit("|", 1)[-1] for k in kinds}
                ]
                + [k.rsplit("|", 1)[-1] for k in kinds]
            )
        tables.append(orgs)
    if wants_teams:
        tables.append(Team.objects.all())
    ids, total, cursor = _page_ids(tables, q)
    found: list = list(Organization.objects.filter(id__in=ids))
    found += list(Team.objects.select_related("organization").filter(id__in=ids))
    rows = _in_order(found, ids)
    return Found(
        [resources.team(r) if isinstance(r, Team) else resources.organization(r) for r in rows],
        total,
        cursor,
    )


def _offers() -> QuerySet[ServiceOffer]:
    return ServiceOffer.objects.select_related("team")


def read_healthcare_service(user: User, resource_id, *, request=None) -> dict:
    _directory(user)
    offer = _offers().filter(id=_uuid(resource_id)).first()
    if offer is None:
        raise Http404
    return resources.healthcare_service(offer)


def search_healthcare_services(user: User, q: SearchParams, *, request=None) -> Found:
    _directory(user)
    offers = ServiceOffer.objects.all()
    teams = q.references("organization", "Organization")
    if teams is not None:
        offers = offers.filter(team_id__in=teams)
    ids, total, cursor = _page_ids([offers], q)
    rows = _in_order(_offers().filter(id__in=ids), ids)
    return Found([resources.healthcare_service(o) for o in rows], total, cursor)


def read_practitioner(user: User, resource_id, *, request=None) -> dict:
    _directory(user)
    person = Practitioner.objects.filter(id=_uuid(resource_id)).first()
    if person is None:
        raise Http404
    return resources.practitioner(person)


def search_practitioners(user: User, q: SearchParams, *, request=None) -> Found:
    _directory(user)
    ids, total, cursor = _page_ids([Practitioner.objects.all()], q)
    rows = _in_order(Practitioner.objects.filter(id__in=ids), ids)
    return Found([resources.practitioner(p) for p in rows], total, cursor)


def read_location(user: User, resource_id, *, request=None) -> dict:
    """An organization's main place (same id as the organization) or a team's point of
    service (same id as the team, when it has a site)."""
    _directory(user)
    pk = _uuid(resource_id)
    org = Organization.objects.filter(id=pk).first()
    if org is not None:
        return resources.organization_location(org)
    item = Team.objects.select_related("organization").filter(id=pk).exclude(site="").first()
    if item is None:
        raise Http404
    return resources.team_location(item)


def search_locations(user: User, q: SearchParams, *, request=None) -> Found:
    _directory(user)
    orgs: QuerySet = Organization.objects.all()
    sites: QuerySet = Team.objects.exclude(site="")
    managers = q.references("organization", "Organization")
    if managers is not None:
        orgs, sites = orgs.filter(id__in=managers), sites.filter(id__in=managers)
    parents = q.references("partof", "Location")
    if parents is not None:
        orgs, sites = orgs.none(), sites.filter(organization_id__in=parents)
    ids, total, cursor = _page_ids([orgs, sites], q)
    found: list = list(Organization.objects.filter(id__in=ids))
    found += list(Team.objects.select_related("organization").filter(id__in=ids))
    rows = _in_order(found, ids)
    return Found(
        [
            resources.team_location(r)
            if isinstance(r, Team)
            else resources.organization_location(r)
            for r in rows
        ],
        total,
        cursor,
    )


def _memberships() -> QuerySet[Membership]:
    return Membership.objects.select_related("practitioner", "team").prefetch_related(
        Prefetch(
            "team__service_offers",
            queryset=ServiceOffer.objects.filter(is_active=True).order_by("name"),
            to_attr="active_offers",
        )
    )


def read_practitioner_role(user: User, resource_id, *, request=None) -> dict:
    _directory(user)
    membership = _memberships().filter(id=_uuid(resource_id)).first()
    if membership is None:
        raise Http404
    return resources.practitioner_role(membership)


def search_practitioner_roles(user: User, q: SearchParams, *, request=None) -> Found:
    _directory(user)
    rows_qs = Membership.objects.all()
    people = q.references("practitioner", "Practitioner")
    if people is not None:
        rows_qs = rows_qs.filter(practitioner_id__in=people)
    teams = q.references("organization", "Organization")
    if teams is not None:
        rows_qs = rows_qs.filter(team_id__in=teams)
    ids, total, cursor = _page_ids([rows_qs], q)
    rows = _in_order(_memberships().filter(id__in=ids), ids)
    return Found([resources.practitioner_role(m) for m in rows], total, cursor)


# --- families ---------------------------------------------------------------------------


def _family_of_person(person_id) -> uuid.UUID:
    """The family of a caregiver or of a born child (a Patient id); 404 for any other id.
    Reads one key only: whether the reader may see that family is access_family's answer."""
    pk = _uuid(person_id)
    family_id = Caregiver.objects.filter(id=pk).values_list("family_id", flat=True).first()
    if family_id is None:
        family_id = (
            Child.objects.filter(id=pk, date_of_birth__isnull=False)
            .values_list("family_id", flat=True)
            .first()
        )
    if family_id is None:
        raise Http404
    return family_id


def _families_of_people(person_ids) -> list:
    return list(Caregiver.objects.filter(id__in=person_ids).values_list("family_id", flat=True)) + (
        list(Child.objects.filter(id__in=person_ids).values_list("family_id", flat=True))
    )


def read_patient(user: User, resource_id, *, request=None) -> dict:
    family_id = _family_of_person(resource_id)
    family, access = families.access_family(
        user, family_id, parts=["patient", Category.IDENTITY], request=request, purpose=FHIR
    )
    pk = _uuid(resource_id)
    person = (
        family.caregivers.filter(id=pk).first()
        or family.children.filter(id=pk, date_of_birth__isnull=False).first()
    )
    if person is None:
        raise Http404
    return resources.patient(person, family, access)


def _caseload(user: User) -> dict:
    """{family id: access} of the families a search may return: those the reader follows
    in a circle of care and may open (the caseload's rule)."""
    return {pk: a for pk, a in accesses_as_member(user).items() if a.granted}


def _restrict_to_patient(visible: dict, q: SearchParams) -> dict:
    people = q.references("patient", "Patient")
    if people is None:
        return visible
    wanted = set(_families_of_people(people))
    return {pk: a for pk, a in visible.items() if pk in wanted}


def _families_on_page(family_ids, access: dict) -> dict:
    found = {
        f.pk: f
        for f in Family.objects.filter(id__in=set(family_ids))
        .select_related("recording_organization")
        .prefetch_related("caregivers")
    }
    for family in found.values():
        family.access = access[family.pk]  # type: ignore[attr-defined]
    return found


def _log_page(user: User, families_shown, request, part: str) -> None:
    families.log_listing(
        user,
        list(families_shown),
        request=request,
        purpose=FHIR,
        part=part,
        shown=(Category.IDENTITY,),
    )


def search_patients(user: User, q: SearchParams, *, request=None) -> Found:
    visible = _caseload(user)
    ids, total, cursor = _page_ids(
        [
            Caregiver.objects.filter(family_id__in=list(visible)),
            Child.objects.filter(family_id__in=list(visible), date_of_birth__isnull=False),
        ],
        q,
    )
    people = list(Caregiver.objects.filter(id__in=ids)) + list(Child.objects.filter(id__in=ids))
    rows = _in_order(people, ids)
    shown = _families_on_page([p.family_id for p in rows], visible)
    _log_page(user, shown.values(), request, "patient")
    return Found(
        [resources.patient(p, shown[p.family_id], visible[p.family_id]) for p in rows],
        total,
        cursor,
    )


def _related_people() -> QuerySet[Caregiver]:
    """Caregivers that are RelatedPersons: all but the index Patient they relate to (the
    first caregiver of a family with no child born yet: resources.index_patient)."""
    first = Caregiver.objects.filter(family=OuterRef("family_id")).order_by("created_at")
    born = Child.objects.filter(family=OuterRef("family_id"), date_of_birth__isnull=False)
    return Caregiver.objects.exclude(Q(id=Subquery(first.values("id")[:1])) & ~Exists(born))


def _with_people(families_qs: QuerySet[Family]) -> QuerySet[Family]:
    return families_qs.select_related("recording_organization").prefetch_related(
        "caregivers", "children"
    )


def read_related_person(user: User, resource_id, *, request=None) -> dict:
    pk = _uuid(resource_id)
    family_id = _related_people().filter(id=pk).values_list("family_id", flat=True).first()
    if family_id is None:
        raise Http404
    family, access = families.access_family(
        user, family_id, parts=["patient", Category.IDENTITY], request=request, purpose=FHIR
    )
    family = _with_people(Family.objects.filter(pk=family.pk)).get()
    person = next(c for c in family.caregivers.all() if c.pk == pk)
    mask = families.name_masker(family, access)
    return resources.related_person(person, resources.index_patient(family), family, access, mask)


def search_related_people(user: User, q: SearchParams, *, request=None) -> Found:
    """The caregivers of the families a search may return, related to their index
    Patient; `patient` narrows to one family's."""
    visible = _restrict_to_patient(_caseload(user), q)
    ids, total, cursor = _page_ids([_related_people().filter(family_id__in=list(visible))], q)
    rows = _in_order(Caregiver.objects.filter(id__in=ids), ids)
    shown = {
        f.pk: f for f in _with_people(Family.objects.filter(id__in={p.family_id for p in rows}))
    }
    for family in shown.values():
        family.access = visible[family.pk]  # type: ignore[attr-defined]
    _log_page(user, shown.values(), request, "patient")
    masks: dict = {}
    out = []
    for person in rows:
        family, access = shown[person.family_id], visible[person.family_id]
        # The masker reads the family's names: only for a relationship to mask.
        if person.relationship and family.pk not in masks:
            masks[family.pk] = families.name_masker(family, access)
        mask = masks.get(family.pk, str)
        index = resources.index_patient(family)
        out.append(resources.related_person(person, index, family, access, mask))
    return Found(out, total, cursor)


def read_care_team(user: User, resource_id, *, request=None) -> dict:
    family, access = families.access_family(
        user, _uuid(resource_id), parts=["circle"], request=request, purpose=FHIR
    )
    return resources.care_team(family, families.circle(family), access)


def search_care_teams(user: User, q: SearchParams, *, request=None) -> Found:
    visible = _restrict_to_patient(_caseload(user), q)
    ids, total, cursor = _page_ids([Family.objects.filter(id__in=list(visible))], q)
    shown = _families_on_page(ids, visible)
    _log_page(user, shown.values(), request, "circle")
    return Found(
        [
            resources.care_team(shown[pk], families.circle(shown[pk]), visible[pk])
            for pk in ids
            if pk in shown
        ],
        total,
        cursor,
    )


def read_care_plan(user: User, resource_id, *, request=None) -> dict:
    family, access = families.access_family(
        user,
        _uuid(resource_id),
        parts=[Category.PLAN],
        request=request,
        purpose=FHIR,
        category=Category.PLAN,
    )
    return resources.care_plan(family, families.plan(family, access), access)


def _plan_readers(visible: dict) -> dict:
    return {pk: a for pk, a in visible.items() if a.sees(Category.PLAN)}


def search_care_plans(user: User, q: SearchParams, *, request=None) -> Found:
    visible = _plan_readers(_restrict_to_patient(_caseload(user), q))
    ids, total, cursor = _page_ids([Family.objects.filter(id__in=list(visible))], q)
    shown = _families_on_page(ids, visible)
    _log_page(user, shown.values(), request, Category.PLAN)
    return Found(
        [
            resources.care_plan(shown[pk], families.plan(shown[pk], visible[pk]), visible[pk])
            for pk in ids
            if pk in shown
        ],
        total,
        cursor,
    )


def read_goal(user: User, resource_id, *, request=None) -> dict:
    pk = _uuid(resource_id)
    family_id = Goal.objects.filter(id=pk).values_list("family_id", flat=True).first()
    if family_id is None:
        raise Http404
    family, access = families.access_family(
        user,
        family_id,
        parts=[Category.PLAN],
        request=request,
        purpose=FHIR,
        category=Category.PLAN,
    )
    for item in families.plan(family, access)["goals"]:
        if item.pk == pk:
            return resources.goal(item, family, access)
    raise Http404


def search_goals(user: User, q: SearchParams, *, request=None) -> Found:
    visible = _plan_readers(_restrict_to_patient(_caseload(user), q))
    # A goal's own category must be one the reader sees, family by family.
    by_categories: dict = {}
    for pk, access in visible.items():
        by_categories.setdefault(access.categories, []).append(pk)
    scope = Q(pk__in=[])
    for categories, family_ids in by_categories.items():
        scope |= Q(family_id__in=family_ids, category__in=list(categories))
    ids, total, cursor = _page_ids([Goal.objects.filter(scope)], q)
    goals = _in_order(Goal.objects.filter(id__in=ids), ids)
    shown = _families_on_page([g.family_id for g in goals], visible)
    _log_page(user, shown.values(), request, Category.PLAN)
    masks = families.name_maskers(shown.values())
    out = []
    for g in goals:
        mask = masks[g.family_id]
        g.need, g.goal = mask(g.need), mask(g.goal)
        out.append(resources.goal(g, shown[g.family_id], visible[g.family_id]))
    return Found(out, total, cursor)


def read_consent(user: User, resource_id, *, request=None) -> dict:
    pk = _uuid(resource_id)
    family_id = Consent.objects.filter(id=pk).values_list("family_id", flat=True).first()
    if family_id is None:
        raise Http404
    family, access = families.access_family(
        user, family_id, parts=["consents"], request=request, purpose=FHIR
    )
    for item in families.consents(family):
        if item.pk == pk:
            return resources.consent(item, family, access)
    raise Http404


def search_consents(user: User, q: SearchParams, *, request=None) -> Found:
    visible = _restrict_to_patient(_caseload(user), q)
    ids, total, cursor = _page_ids([Consent.objects.filter(family_id__in=list(visible))], q)
    rows = _in_order(
        Consent.objects.filter(id__in=ids)
        .select_related("given_by")
        .prefetch_related("organizations"),
        ids,
    )
    shown = _families_on_page([c.family_id for c in rows], visible)
    _log_page(user, shown.values(), request, "consents")
    return Found(
        [resources.consent(c, shown[c.family_id], visible[c.family_id]) for c in rows],
        total,
        cursor,
    )


# --- referrals --------------------------------------------------------------------------


def _last_note(referral: Referral) -> str:
    # A search reads the notes of its page's closed rows at once (_latest_notes) rather
    # than reading every event of the page; a single read reads the events.
    if hasattr(referral, "latest_note"):
        return referral.latest_note or ""
    events = list(referral.events.all())
    return events[-1].note if events else ""


# The statuses whose Task gives the note of the referral's last step as its reason.
_NOTE_IS_REASON = (Status.CANCELLED, Status.FAILED)


def _latest_notes(rows: list[Referral]) -> None:
    """Sets `latest_note` on the rows a Task shows it of (cancelled or failed): one query,
    only when the page has such a row (an open-referral poll has none)."""
    closed = [r for r in rows if r.status in _NOTE_IS_REASON]
    if not closed:
        return
    # The newest event's note of each: the events of a page's closed rows are few (a
    # referral has a handful of steps), and DISTINCT ON is PostgreSQL's only (the demo runs
    # on SQLite).
    notes: dict = {}
    for referral_id, note in (
        ReferralEvent.objects.filter(referral_id__in=[r.id for r in closed])
        .order_by("referral_id", "-at")
        .values_list("referral_id", "note")
    ):
        notes.setdefault(referral_id, note)
    for r in closed:
        r.latest_note = notes.get(r.id, "")  # type: ignore[attr-defined]


def _referral_resources(referral: Referral, access: FamilyAccess) -> tuple[dict, dict]:
    mask = families.name_masker(referral.family, access)
    return (
        resources.task(referral, access, mask, _last_note(referral)),
        resources.service_request(referral, access, mask),
    )


def read_task(user: User, resource_id, *, request=None) -> dict:
    referral = referrals.access_referral(user, _uuid(resource_id), request=request)
    return _referral_resources(referral, referral.family_access)[0]  # type: ignore[attr-defined]


def read_service_request(user: User, resource_id, *, request=None) -> dict:
    referral = referrals.access_referral(user, _uuid(resource_id), request=request)
    return _referral_resources(referral, referral.family_access)[1]  # type: ignore[attr-defined]


def _referral_conditions(q: SearchParams) -> Q:
    """A Task or ServiceRequest search's parameters as conditions on referrals, for the
    database to apply (not read every referral, then filter)."""
    where = Q()
    if q.ids is not None:
        where &= Q(id__in=q.ids)
    if q.updated_after:
        where &= Q(updated_at__gt=q.updated_after)
    if q.updated_before:
        where &= Q(updated_at__lt=q.updated_before)
    for name, field in (("owner", "to_team_id"), ("requester", "from_team_id")):
        teams = q.references(name, "Organization")
        if teams is not None:
            where &= Q(**{f"{field}__in": teams})
    performer = q.references("performer", "Organization")
    if performer is not None:
        where &= Q(to_team_id__in=performer)
    focus = q.references("focus", "ServiceRequest")
    if focus is not None:
        where &= Q(id__in=focus)
    people = q.references("patient", "Patient")
    if people is not None:
        where &= Q(family_id__in=_families_of_people(people))
    statuses = q.tokens("status")
    if statuses is not None:
        ours = [s for t in statuses for s in codes.REFERRAL_STATUSES_OF.get(t, [])]
        where &= Q(status__in=ours)
    return where


def _referral_search(user: User, q: SearchParams) -> tuple[list, dict]:
    """Every referral the search matches that the reader may see, in id order (ids only),
    and {referral id: access} of those received by the reader's teams: the referrals they
    sent, and those sent to their teams that the family's consent still opens to them
    (referrals.selectors.received, the inbox's rule, without its "still waiting for us"
    filter: a partner also reads what it closed)."""
    where = _referral_conditions(q)
    found = referrals.received(fetched_by=user, open_only=False, among=where)
    received = {pk: access for pk, (_family, access) in found.items()}
    sent = referrals.outgoing_ids(fetched_by=user, among=where)
    return sorted({*received, *sent}), received


def _search_referrals(user: User, q: SearchParams, request, which: int) -> Found:
    matched, received = _referral_search(user, q)
    # Paging by id, like _page_ids, over ids already known: the total needs each one's
    # access anyway (a consent decides it), and only the page's rows are read whole.
    after = [pk for pk in matched if q.cursor is None or pk > q.cursor]
    ids = after[: q.count]
    cursor = str(ids[-1]) if len(after) > q.count and ids else None
    rows = referrals.referral_page(ids)
    own = accesses(user, [r.family for r in rows if r.id not in received])
    shown: dict = {}
    for r in rows:
        families.shown_as(r.family, access=received.get(r.id) or own[r.family_id])
        shown.setdefault(r.family_id, r.family)
    # One masker per family, not two queries per row of a family the reader sees unnamed.
    masks = families.name_maskers(shown.values())
    if which == 0:
        _latest_notes(rows)
    out = []
    for r in rows:
        access, mask = r.family.access, masks[r.family_id]  # type: ignore[attr-defined]
        if which == 0:
            out.append(resources.task(r, access, mask, getattr(r, "latest_note", "")))
        else:
            out.append(resources.service_request(r, access, mask))
    _log_page(user, shown.values(), request, "referral")
    return Found(out, len(matched), cursor)


def search_tasks(user: User, q: SearchParams, *, request=None) -> Found:
    """What a partner polls: the Tasks of referrals I sent or my teams received (those the
    consent still opens to us), by owner, requester, status, patient, _lastUpdated."""
    return _search_referrals(user, q, request, 0)


def search_service_requests(user: User, q: SearchParams, *, request=None) -> Found:
    return _search_referrals(user, q, request, 1)


def referral_for_update(user: User, resource_id, *, request=None) -> Referral:
    """The referral behind a Task a partner updates: 404 unless they may see it."""
    return referrals.access_referral(user, _uuid(resource_id), request=request)


def task_of(user: User, referral: Referral, *, request=None) -> dict:
    """The Task after a change, read again as the reader may see it."""
    return read_task(user, referral.id, request=request)


# --- the access report ------------------------------------------------------------------


def _report_family(user: User, family_id, request) -> Family:
    family, _access = families.access_family(
        user,
        family_id,
        parts=["access_report"],
        request=request,
        purpose=FHIR,
        perm="families.view_access_report",
    )
    return family


def _audit_resource_id(event: AuditEvent, family: Family) -> str:
    """A family's own event keeps its id; a list's event, which names many families, is one
    resource per family: `<event id>.<place of the family in the event>`."""
    if not event.is_listing:
        return str(event.id)
    return f"{event.id}.{event.about(family.id).listing_index}"  # type: ignore[attr-defined]


def read_audit_event(user: User, resource_id, *, request=None) -> dict:
    event_id, _dot, place = str(resource_id).partition(".")
    pk = _uuid(event_id)
    event = AuditEvent.objects.filter(id=pk, object_type=families.FAMILY).first()
    if event is None or event.is_listing != bool(place):
        raise Http404
    if event.is_listing:
        if not place.isdigit() or int(place) >= len(event.object_ids or []):
            raise Http404
        family_id = (event.object_ids or [])[int(place)]
    else:
        family_id = _uuid(event.object_id)
    family = _report_family(user, family_id, request)
    return resources.audit_event(event.about(family.id), family, _audit_resource_id(event, family))


def search_audit_events(user: User, q: SearchParams, *, request=None) -> Found:
    """A family's access report (`patient` is required: one family at a time), for those
    who may read it."""
    people = q.references("patient", "Patient")
    if not people:
        raise InvalidResource(
            _("Name the patient whose family's access report you want: patient=<id>."),
            status=400,
        )
    family_ids = set(_families_of_people(people))
    if len(family_ids) != 1:
        raise Http404
    family = _report_family(user, family_ids.pop(), request)
    report = families.access_report(family)
    ids, _total, cursor = _page_ids([report], q, updated=None, counted=False)
    # Counted up to a cap: the whole history of a family named by lists for years would be
    # a count over every monthly partition of the log at each page (issue 18). Beyond the
    # cap the Bundle says no total, which FHIR allows (docs/interop.md).
    counted = report.order_by()[: REPORT_TOTAL_CAP + 1].count()
    total = counted if counted <= REPORT_TOTAL_CAP else None
    rows = _in_order(AuditEvent.objects.filter(id__in=ids), ids)
    return Found(
        [
            resources.audit_event(e.about(family.id), family, _audit_resource_id(e, family))
            for e in rows
        ],
        total,
        cursor,
    )


def render_task(referral: Referral, access: FamilyAccess) -> dict:
    """The Task of a referral this request already read (and logged): after a change, or
    before a patch is applied to it. Logs nothing more."""
    referral = (
        Referral.objects.select_related(
            "family__recording_organization", "from_team", "to_team", "service_offer"
        )
        .prefetch_related("family__caregivers", "events")
        .get(pk=referral.pk)
    )
    return _referral_resources(referral, access)[0]


@dataclass
class Parties:
    """Who a referral arriving over FHIR is about, from whom and for whom."""

    family: Family
    from_team: Team
    to_team: Team
    service_offer: ServiceOffer | None


def _team(user: User, reference, what: str) -> Team:
    teams = SearchParams(values={"x": [str((reference or {}).get("reference", ""))]}).references(
        "x", "Organization"
    )
    item = Team.objects.select_related("organization").filter(id__in=teams or []).first()
    if item is None:
        raise InvalidResource(
            _("%(element)s must reference one of our teams (Organization/<id>).")
            % {"element": what}
        )
    return item


def referral_parties(user: User, service_request: dict, task: dict) -> Parties:
    """The family (the ServiceRequest's subject: 404 unless the user may refer it), the
    requesting and owning teams of the Task, the service asked for."""
    _directory(user)
    subject = str((service_request.get("subject") or {}).get("reference", ""))
    people = SearchParams(values={"x": [subject]}).references("x", "Patient") or []
    if not people:
        raise InvalidResource(_("ServiceRequest.subject must reference a Patient of ours."))
    family = families.family_for_write(user, _family_of_person(people[0]), "families.add_entry")
    offer = None
    for performer in service_request.get("performer") or []:
        offered = SearchParams(values={"x": [str(performer.get("reference", ""))]}).references(
            "x", "HealthcareService"
        )
        if offered:
            offer = ServiceOffer.objects.filter(id=offered[0]).first()
            if offer is None:
                raise InvalidResource(_("Unknown HealthcareService in ServiceRequest.performer."))
    return Parties(
        family=family,
        from_team=_team(user, task.get("requester"), "Task.requester"),
        to_team=_team(user, task.get("owner"), "Task.owner"),
        service_offer=offer,
    )
