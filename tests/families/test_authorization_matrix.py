"""The authorization matrix: every page and API endpoint that touches a family, against
every kind of person who might ask.

The list of routes comes from the URL map itself: a new route under a family with no row
in ROUTES makes `test_every_family_route_has_a_rule` fail. For each (route, actor) the
expected answer comes from the rule table below, written from the product's promise and
not from the code: allowed reads answer 200 and write exactly one access event; refusals
answer "not found" (or ask to log in; the API answers "forbidden" to a write on what the
caller sees), write no access event, and leak nothing.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from maillage.audit.models import Action
from maillage.core.services import create_api_token
from maillage.families import selectors, services
from maillage.families.models import Category, Consent

pytestmark = pytest.mark.django_db

PERSONAL = ["Mélanie", "Côté", "se sent seule", "Plan signé", "Demande HLM", "555-0199"]
# What identity covers: shown to no reader whose consent lacks it, even on pages they may open.
NAMES = ["Mélanie", "Côté", "555-0199"]


@dataclass(frozen=True)
class Route:
    name: str  # URL name, with namespace
    method: str
    url: Callable[[dict], str]
    # "any", a category, "holder" (access report, export), "circle" (circle write),
    # "consent_holder" (the lead or the lead's team: consents and who is in the circle)
    needs: str = "any"
    body: Callable[[dict], dict] | None = None
    api: bool = False
    reads: bool = True  # a read writes an access event when allowed


def page(name, needs="any", *extra):
    def url(care):
        args = [care["family"].id] + [care[key].id for key in extra]
        return reverse(f"families:{name}", args=args)

    return url


def api(path):
    return lambda care: (
        "/api/v1/families/"
        + path.format(f=care["family"].id, c=care["consent"].id, a=care["action"].id)
    )


ROUTES = [
    Route("families:detail", "GET", page("detail")),
    Route("families:consents", "GET", page("consents")),
    Route(
        "families:consent_scan",
        "GET",
        page("consent_scan", "any", "consent"),
        needs=Category.IDENTITY,
    ),
    Route("families:circle", "GET", page("circle")),
    Route("families:plan", "GET", page("plan"), needs=Category.PLAN),
    Route(
        "families:plan_action", "GET", page("plan_action", "plan", "action"), needs=Category.PLAN
    ),
    Route("families:timeline", "GET", page("timeline")),
    Route("families:access_report", "GET", page("access_report"), needs="holder"),
    Route("families:export_json", "GET", page("export_json"), needs="holder"),
    Route("families:export_html", "GET", page("export_html"), needs="holder"),
    Route(
        "families:timeline",
        "POST",
        page("timeline"),
        needs="circle",
        reads=False,
        body=lambda care: {
            "kind": "contact_note",
            "category": "plan",
            "text": "Appel",
            "visibility": "circle",
        },
    ),
    Route(
        "families:plan",
        "POST",
        page("plan"),
        needs="circle_plan",
        reads=False,
        body=lambda care: {"action": "goal", "need": "Besoin", "goal": "But"},
    ),
    Route(
        "families:circle",
        "POST",
        page("circle"),
        needs="consent_holder",
        reads=False,
        body=lambda care: {"action": "add", "email": "nobody@example.org"},
    ),
    Route(
        "families:circle",
        "POST",
        page("circle"),
        needs="consent_holder",
        reads=False,
        body=lambda care: {"action": "add", "email": "outsider@hop.example.org"},
    ),
    Route(
        "families:consents",
        "POST",
        page("consents"),
        needs="consent_holder",
        reads=False,
        body=lambda care: {"purpose": ""},
    ),
    Route(
        "families:plan_action",
        "POST",
        page("plan_action", "plan", "action"),
        needs="circle_plan",
        reads=False,
        body=lambda care: {
            "description": "Demande HLM",
            "owner": care["partner_member"].id,
            "status": "in_progress",
            "version": 1,
        },
    ),
    Route(
        "families:withdraw_consent",
        "POST",
        page("withdraw_consent", "any", "consent"),
        needs="consent_holder",
        reads=False,
    ),
    Route(
        "families:emergency_access", "GET", page("emergency_access"), needs="emergency", reads=False
    ),
    Route(
        "referrals:ask_for_consent",
        "POST",
        lambda care: reverse("referrals:ask_for_consent", args=[care["family"].id]),
        needs="ask_consent",
        reads=False,
    ),
    Route(
        "families:entry_in_error",
        "GET",
        lambda care: reverse(
            "families:entry_in_error", args=[care["family"].id, care["entries"]["plan"].id]
        ),
        needs="entry_author",
    ),
    Route(
        "families:entry_in_error",
        "POST",
        lambda care: reverse(
            "families:entry_in_error", args=[care["family"].id, care["entries"]["plan"].id]
        ),
        needs="entry_author",
        reads=False,
        body=lambda care: {"reason": "Mauvais dossier"},
    ),
    # Programmes in practice: a family's enrolments are plan data (implementation app; its
    # own matrix, tests/implementation/test_authorization.py, covers writes and enrolments).
    Route(
        "implementation:family",
        "GET",
        lambda care: reverse("implementation:family", args=[care["family"].id]),
        needs=Category.PLAN,
    ),
    Route(
        "api-1.0.0:list_family_enrolments",
        "GET",
        lambda care: f"/api/v1/implementation/families/{care['family'].id}/enrolments",
        needs=Category.PLAN,
        api=True,
    ),
    Route(
        "api-1.0.0:enrol_family",
        "POST",
        lambda care: f"/api/v1/implementation/families/{care['family'].id}/enrolments",
        needs="circle_plan",
        api=True,
        reads=False,
        # No site of this id: who may enrol is told so (422); the others are refused first.
        body=lambda care: {"site": str(care["family"].id), "referred_on": "2025-01-15"},
    ),
    Route("api-1.0.0:get_family", "GET", api("{f}"), api=True),
    Route("api-1.0.0:list_consents", "GET", api("{f}/consents"), api=True),
    Route("api-1.0.0:list_circle", "GET", api("{f}/circle"), api=True),
    Route("api-1.0.0:get_plan", "GET", api("{f}/plan"), needs=Category.PLAN, api=True),
    Route("api-1.0.0:list_timeline", "GET", api("{f}/timeline"), api=True),
    Route(
        "api-1.0.0:add_entry",
        "POST",
        api("{f}/timeline"),
        needs="circle",
        api=True,
        reads=False,
        body=lambda care: {"kind": "phone_call", "category": "plan", "text": "Appel"},
    ),
    Route(
        "api-1.0.0:update_action",
        "PATCH",
        api("{f}/plan/actions/{a}"),
        needs="circle_plan",
        api=True,
        reads=False,
        body=lambda care: {"version": 1, "status": "in_progress"},
    ),
    Route(
        "api-1.0.0:mark_entry_entered_in_error",
        "POST",
        lambda care: (
            f"/api/v1/families/{care['family'].id}/timeline/"
            f"{care['entries']['plan'].id}/entered-in-error"
        ),
        needs="entry_author",
        api=True,
        reads=False,
        body=lambda care: {"reason": "Mauvais dossier"},
    ),
    Route(
        "api-1.0.0:withdraw_consent",
        "POST",
        api("{f}/consents/{c}/withdraw"),
        needs="consent_holder",
        api=True,
        reads=False,
        body=lambda care: {"reason": ""},
    ),
]
# Routes that list families rather than open one: tested in test_caseload_lists_only_my_families.
LISTS = {"families:caseload", "families:create", "api-1.0.0:list_families"}

ACTORS = [
    "owner",
    "circle_colleague",
    "partner",
    "partner_withdrawn",
    "partner_without_category",
    "partner_without_identity",
    "partner_lead",
    "colleague",
    "outsider",
    "coordinator",
    "admin",
    "anonymous",
    "other_token",
    "break_glass",
    "break_glass_without_reason",
]


# What the consent shares with the partner's organization, by actor.
SHARED_WITH = {
    "partner": {Category.IDENTITY, Category.PLAN},
    "partner_without_category": {Category.IDENTITY},
    "partner_without_identity": {Category.PLAN, Category.NOTES},
}
SEES_NAMES = {"owner", "circle_colleague", "partner", "partner_without_category", "partner_lead"}
SEES_NAMES |= {"break_glass"}


def expected(actor: str, route: Route) -> bool:
    """May this actor do this? Straight from the product's rules."""
    if route.needs == "ask_consent":  # anyone still in the circle but the record holder
        return actor in {"circle_colleague", "partner_withdrawn", *SHARED_WITH}
    if actor == "owner":  # lead worker, recording organization
        return route.needs != "emergency"  # already has access: redirected, not served
    if actor == "circle_colleague":  # recording organization, another team, not the lead
        return route.needs not in ("emergency", "consent_holder", "entry_author")
    if actor in SHARED_WITH:
        shared = SHARED_WITH[actor]
        if route.needs in ("any", "circle"):
            return True
        if route.needs == "circle_plan":
            return Category.PLAN in shared
        return route.needs in shared
    if actor == "partner_lead":  # sees what their member's organization may see; writes not
        return route.needs in ("any", Category.IDENTITY, Category.PLAN)
    if actor == "break_glass":  # everything for a few hours, but neither writes nor the record
        return route.needs in ("any", Category.PLAN, Category.IDENTITY)
    return False


# What each actor sees of the family (the entry marked in error is a plan entry).
SEES = {
    "circle_colleague": set(Category.values),
    "partner_without_identity": {Category.PLAN, Category.NOTES},
    "partner": {Category.IDENTITY, Category.PLAN},
    "partner_lead": {Category.IDENTITY, Category.PLAN},
    "partner_without_category": {Category.IDENTITY},
    "break_glass": set(Category.values),
}


def refusal_status(actor: str, route: Route) -> int:
    """A refusal of the API is 403 for a write the actor may not make on what they see
    (DESIGN.md), 404 for what they do not see; pages answer 404 to every refusal."""
    if not route.api or route.reads or actor not in SEES:
        return 404
    written = Category.PLAN if route.needs in ("circle_plan", "entry_author") else None
    return 403 if written is None or written in SEES[actor] else 404


def setup_actor(actor: str, care, client, verified_login):
    """Returns (client, extra request headers) for the actor."""
    users = care["users"]
    if actor == "anonymous":
        return client, {}
    if actor == "partner_withdrawn":
        for consent in Consent.objects.filter(family=care["family"]):
            services.withdraw_consent(by=users["owner"], consent=consent)
        actor = "partner"
    if actor == "partner_without_category":
        Consent.objects.filter(pk=care["consent"].pk).update(categories=",identity,")
        actor = "partner"
    if actor == "partner_without_identity":
        Consent.objects.filter(pk=care["consent"].pk).update(categories=",plan,notes,")
        actor = "partner"
    if actor == "circle_colleague":
        services.add_circle_member(
            by=users["owner"],
            family=care["family"],
            practitioner=users["colleague"].practitioner,
            team=care["teams"]["family"],
            role="Éducatrice",
        )
        actor = "colleague"
    if actor == "other_token":
        _token, secret = create_api_token(user=users["outsider"], name="script")
        return client, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    if actor == "break_glass":
        services.open_emergency_access(
            by=users["outsider"],
            family=care["family"],
            reason="Nourrisson seul à domicile, la mère ne répond plus depuis hier soir.",
        )
        actor = "outsider"
    if actor == "break_glass_without_reason":
        with pytest.raises(Exception, match=r"(?i)safety|sécurité|20"):
            services.open_emergency_access(by=users["outsider"], family=care["family"], reason="")
        actor = "outsider"
    user = users[actor]
    user.__dict__.pop("_family_access", None)
    user.__dict__.pop("_family_reader", None)
    return verified_login(user), {}


def access_events(care) -> int:
    """The reads in the family's access report: its own events and the lists naming it."""
    return selectors.access_report(care["family"]).filter(action=Action.VIEWED).count()


def route_id(route: Route) -> str:
    return f"{route.method} {route.name}"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_matrix(route, actor, care, client, verified_login):
    client, headers = setup_actor(actor, care, client, verified_login)
    url = route.url(care)
    before = access_events(care)
    body = route.body(care) if route.body else {}
    if route.api:
        response = client.generic(
            route.method,
            url,
            data=json.dumps(body),
            content_type="application/json",
            **headers,
        )
    else:
        response = getattr(client, route.method.lower())(url, body, **headers)
    allowed = expected(actor, route)
    written = access_events(care) - before

    if actor == "anonymous" or (actor == "other_token" and not route.api):
        # A token opens the API only: on a page it counts for nothing, as if anonymous.
        assert response.status_code == (401 if route.api else 302)
        if not route.api:
            assert response["Location"].startswith(reverse("login"))
    elif route.needs == "emergency":
        # The break-glass form itself shows nothing personal: practitioners without access
        # get the form, those with access are sent to the record, others are refused.
        status = response.status_code
        if actor in (
            "owner",
            "circle_colleague",
            "partner",
            "partner_lead",
            "break_glass",
            "partner_without_category",
            "partner_without_identity",
        ):
            assert status == 302
        elif actor in ("colleague", "outsider", "partner_withdrawn", "break_glass_without_reason"):
            assert status == 200
        else:
            assert status == 404
    elif allowed:
        assert response.status_code in (200, 201, 302, 400, 422), response.status_code
        if route.reads:
            assert response.status_code == 200
    else:
        assert response.status_code == refusal_status(actor, route), response.status_code

    if route.reads and allowed:
        assert written == 1, f"{actor} read {route.name}: {written} access events"
    elif allowed:
        # An accepted write logs its change; a refused one re-shows the page it came from,
        # which is a read: at most one access event.
        assert written <= 1, f"{actor} on {route.name}: {written} access events"
    else:
        assert written == 0, f"{actor} on {route.name}: {written} access events"
    body_bytes = b"".join(response.streaming_content) if response.streaming else response.content
    content = body_bytes.decode(errors="replace")
    if not allowed:
        for text in PERSONAL:
            assert text not in content, f"{text!r} leaked to {actor} by {route.name}"
    if actor not in SEES_NAMES:
        for text in NAMES:
            assert text not in content, f"{text!r} shown to {actor} by {route.name}"


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}:{p.name}".strip(":"), prefix + str(p.pattern))


def test_every_family_route_has_a_rule():
    covered = {r.name for r in ROUTES} | LISTS
    family_routes = {
        name for name, pattern in _walk(get_resolver().url_patterns) if "famil" in pattern
    }
    missing = family_routes - covered
    assert not missing, f"Routes touching a family without a row in the matrix: {missing}"
    assert family_routes >= {r.name for r in ROUTES}


def test_caseload_lists_only_my_families_and_logs_each(care, client, verified_login):
    for actor, sees in [
        ("owner", True),
        ("partner", True),
        ("partner_lead", False),
        ("colleague", False),
        ("outsider", False),
        ("coordinator", False),
        ("admin", False),
    ]:
        c = verified_login(care["users"][actor])
        before = access_events(care)
        response = c.get(reverse("families:caseload"))
        assert response.status_code in (200, 403)
        content = response.content.decode()
        assert ("Mélanie" in content) == sees, actor
        assert access_events(care) - before == (1 if sees else 0), actor
        api_page = c.get("/api/v1/families/")
        items = api_page.json()["items"] if api_page.status_code == 200 else []
        assert [i["reference"] for i in items] == ([care["family"].reference] if sees else [])
        c.logout()
