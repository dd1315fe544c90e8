"""The authorization matrix of the whole product: every route with an object in its path,
page or API, in every app, against every kind of person who might ask.

The routes come from the URL map (`<uuid:…>` in a pattern) and from the OpenAPI document
(`{…_id}` in a path, each method): `test_every_route_with_an_object_has_rows` fails when
one of them has no row here, and when a multi-action POST (the circle page's `action=add`,
the review group page's `add_participant`…) has an action without its own row. Each row
says, from the product's rules (not from the code), who may do it:

- `allow`: answered (a read: 200; a write: done, or refused for its content: 200/204/302/
  400/409/422); a read of a family's data writes exactly one access event, a write that
  re-shows its page one, a write that goes through the number in `write_events`;
- `forbid`: may see the object but not do this: 403, or 404 where the app hides it;
- everyone else: 404, as for an object that does not exist (the API: 404 too), and
  anonymous people are asked to log in (pages: 302 to the login page; API: 401).

Refusals write no family access event and change nothing. Nobody whose access lacks the
family's identity sees the caregiver's first name, last name or phone, on any route.

Cells: 224 rows x 20 actors = 4480 (`test_cell_count` keeps this figure honest).
Cells marked xfail(strict), if any, are known defects, each with its reason.
"""

import contextlib
import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from maillage.audit.models import Action
from maillage.core.models import ApiToken, User
from maillage.directory.models import Organization
from maillage.families import selectors as family_selectors
from maillage.families import services as family_services
from maillage.families.models import CircleMember, Consent, TimelineEntry
from maillage.families.permissions import forget_shares
from maillage.implementation.models import (
    Adaptation,
    Departure,
    Enrolment,
    Factor,
    FactorAction,
    ProgrammeSession,
    Site,
    SiteStage,
    Supervision,
    SustainabilityAssessment,
    SustainabilityItem,
    TrainingRecord,
)
from maillage.referrals.models import ConsentRequest, Referral
from maillage.reviews.models import (
    GroupMembership,
    GroupRole,
    ImprovementAction,
    Meeting,
    Situation,
)
from maillage.training.models import ImmersionSession, SignUp

pytestmark = pytest.mark.django_db

NAMES = ["Mélanie", "Côté", "555-0199"]

# --- the actors ---------------------------------------------------------------------------

ACTORS = [
    "anonymous",
    "outsider",  # a practitioner of an organization the family's consent does not name
    "lead",  # the lead worker (recording organization); the referrer; the consultation's asker
    "circle_member",  # in the circle, recording organization, another team than the lead's
    "partner",  # in the circle, partner organization: the consent shares identity and plan
    "partner_no_identity",  # the same partner, the consent sharing plan and notes only
    "partner_withdrawn",  # the same partner once every consent is withdrawn
    "partner_lead",  # leads the partner's team (and the referral's receiving team)
    "receiver",  # a member of the referral's receiving team, not in the circle
    "consulted",  # a member of the consulted team (partner organization)
    "coordinator",
    "admin",
    "moderator",  # our review group's external moderator
    "participant",  # our review group: the situations' author, the action's owner
    "co_participant",  # our review group: neither author nor owner
    "other_moderator",  # another review group's moderator
    "other_participant",  # another review group's participant
    "host_lead",  # leads the team hosting the immersion session (and a programme team)
    "trainee",  # signed up for the session
]
# Logged in as the partner, after changing what the consent shares.
ACCOUNT = {"partner_no_identity": "partner", "partner_withdrawn": "partner"}
# The token actor: the outsider's personal access token, on the API only.
TOKEN = "outsider_token"
ACTORS.append(TOKEN)

LOGGED_IN = frozenset(ACTORS) - {"anonymous"}
# Families (families/permissions.py): who sees the family at all, its plan, its names.
FAMILY = frozenset({"lead", "circle_member", "partner", "partner_no_identity", "partner_lead"})
FAMILY_PLAN = FAMILY
FAMILY_IDENTITY = frozenset({"lead", "circle_member", "partner", "partner_lead"})
# In the circle and sees the plan: writes in the timeline and the plan.
CIRCLE = frozenset({"lead", "circle_member", "partner", "partner_no_identity"})
# The record holder: consents, who is in the circle. The lead worker alone here.
HOLDER = frozenset({"lead"})
# Circle members of the recording organization: the family's access report and copy.
RECORDING = frozenset({"lead", "circle_member"})
# Referrals: the referrer, the receiving team while the consent covers identity.
RECEIVING = frozenset({"partner", "partner_lead", "receiver"})
REFERRAL = RECEIVING | {"lead"}
CONSULTATION = frozenset({"lead", "consulted"})
# Whose access to the family includes its names, somewhere (the rest never see them).
SEES_NAMES = FAMILY_IDENTITY | RECEIVING
# Reviews: content for members only; membership managed by coordinators too.
MEMBERS = frozenset({"moderator", "participant", "co_participant"})
PARTICIPANTS = frozenset({"participant", "co_participant"})
MODERATOR = frozenset({"moderator"})
GROUP_MANAGERS = frozenset({"coordinator", "admin", "moderator"})
# Training: programmes and sessions are read by every account.
NETWORK = frozenset({"coordinator", "admin"})
SIGN_UP_DECIDERS = frozenset({"host_lead", "coordinator"})
# Evaluation (tests/security/conftest.py, build_study): the study's lead and coder; the
# participant (trainee), the lead of another study (outsider) and the coordinator see nothing.
EVAL_LEAD = frozenset({"other_moderator"})
EVAL_CODER = frozenset({"other_participant"})
EVALUATORS = EVAL_LEAD | EVAL_CODER
# Accounts with the practitioner role (an external moderator has one, without a team).
PRACTITIONERS = LOGGED_IN - {"coordinator", "admin", TOKEN}


# --- the rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    route: str  # URL name (pages) or the OpenAPI path (API)
    method: str
    allow: frozenset
    forbid: frozenset = frozenset()
    action: str = ""  # the discriminating value of a multi-action POST
    body: Callable[[dict], dict] | None = None
    kw: tuple = ()  # (path parameter, world key) where the default does not fit
    events: int = 0  # family access events of an allowed read (or a re-shown form)
    write_events: int = 0  # family access events of a write that went through
    changed: Callable[[dict], bool] | None = None  # did the write happen?
    only_for: frozenset | None = None  # a write that answers all alike, done only for these
    special: str = ""
    xfail: dict = field(default_factory=dict)  # actor -> reason (known defects)

    @property
    def api(self) -> bool:
        """The JSON API and the FHIR endpoint: JSON bodies, 401 without credentials."""
        return self.route.startswith(("/api/", "/fhir/"))

    @property
    def fhir(self) -> bool:
        """The FHIR endpoint: personal tokens only, every actor sends its own."""
        return self.route.startswith("/fhir/")

    @property
    def is_read(self) -> bool:
        return self.method == "GET"

    @property
    def id(self) -> str:
        action = f" {self.action}" if self.action else ""
        return f"{self.method} {self.route}{action}"


def page(name, method="GET", allow=frozenset(), **options) -> Row:
    return Row(name, method, frozenset(allow), **options)


def api(path, method="GET", allow=frozenset(), **options) -> Row:
    return Row("/api/v1" + path, method, frozenset(allow), **options)


def fhir(path, method="GET", allow=frozenset(), **options) -> Row:
    return Row("/fhir/R4" + path, method, frozenset(allow), **options)


def form(**fields) -> Callable[[dict], dict]:
    return lambda w: fields


# Path parameter -> world key, unless a row says otherwise.
PARAMETERS = {
    "family_id": "family",
    "consent_id": "consent",
    "referral_id": "referral",
    "attachment_id": "attachment",
    "consultation_id": "consultation",
    "group_id": "group",
    "meeting_id": "meeting",
    "situation_id": "situation",
    "programme_id": "programme",
    "session_id": "session",
    "sign_up_id": "sign_up",
    "token_id": "token",
    "organization_id": "organization",
    "team_id": "team",
    "practitioner_id": "practitioner",
    "study_id": "study",
    "document_id": "document",
    "code_id": "eval_code",
    "coding_id": "eval_coding",
    "participant_id": "eval_participant",
    "focus_group_id": "eval_focus_group",
    "site_id": "site",
    "enrolment_id": "enrolment",
    "factor_id": "factor",
    "item_id": "item",
    "caregiver_id": "father",
}
PLAN_ACTION = (("action_id", "plan_action"),)
REVIEW_ACTION = (("action_id", "improvement"),)


def status_of(model, key, value):
    return lambda w: model.objects.filter(pk=w[key].pk, status=value).exists()


def consent_withdrawn(w) -> bool:
    return Consent.objects.filter(pk=w["consent"].pk, withdrawn_at__isnull=False).exists()


def in_circle(user_key):
    return lambda w: CircleMember.objects.filter(
        family=w["family"], practitioner__user=w["users"][user_key], left_at__isnull=True
    ).exists()


def circle_lead_is(user_key):
    return lambda w: CircleMember.objects.filter(
        family=w["family"], practitioner__user=w["users"][user_key], is_lead=True
    ).exists()


FAMILY_ROWS = [
    page("families:detail", allow=FAMILY, events=1),
    page("families:consents", allow=FAMILY, events=1),
    page(
        "families:consents",
        "POST",
        HOLDER,
        forbid=FAMILY - HOLDER,
        body=form(purpose=""),
        events=1,
        changed=lambda w: Consent.objects.filter(family=w["family"]).count() > 1,
    ),
    page("families:consent_scan", allow=FAMILY_IDENTITY, forbid=FAMILY - FAMILY_IDENTITY, events=1),
    page(
        "families:withdraw_consent",
        "POST",
        HOLDER,
        forbid=FAMILY - HOLDER,
        changed=consent_withdrawn,
    ),
    page("families:circle", allow=FAMILY, events=1),
    page(
        "families:circle",
        "POST",
        HOLDER,
        forbid=FAMILY - HOLDER,
        action="add",
        body=form(action="add", email="outsider@hop.example.org", role="Sage-femme"),
        events=1,
        changed=in_circle("outsider"),
    ),
    page(
        "families:circle",
        "POST",
        HOLDER,
        forbid=FAMILY - HOLDER,
        action="hand_over",
        body=lambda w: {"action": "hand_over", "to": str(w["colleague_member"].pk)},
        events=1,
        changed=circle_lead_is("circle_member"),
    ),
    page(
        "families:circle",
        "POST",
        CIRCLE,
        forbid=FAMILY - CIRCLE,
        action="leave",
        body=form(action="leave"),
        events=1,
    ),
    page("families:plan", allow=FAMILY_PLAN, events=1),
    *(
        page(
            "families:plan",
            "POST",
            CIRCLE,
            forbid=FAMILY - CIRCLE,
            action=action,
            body=form(action=action),
            events=1,
        )
        for action in ("goal", "action", "review")
    ),
    page("families:plan_action", allow=FAMILY_PLAN, kw=PLAN_ACTION, events=1),
    page(
        "families:plan_action",
        "POST",
        CIRCLE,
        forbid=FAMILY - CIRCLE,
        kw=PLAN_ACTION,
        body=lambda w: {
            "description": "Demande HLM",
            "owner": w["partner_member"].pk,
            "status": "in_progress",
            "version": 1,
        },
    ),
    page("families:timeline", allow=FAMILY, events=1),
    page(
        "families:timeline",
        "POST",
        CIRCLE,
        forbid=FAMILY - CIRCLE,
        body=form(kind="contact_note", category="plan", text="Appel", visibility="circle"),
        events=1,
    ),
    page("families:entry_in_error", allow={"lead"}, kw=(("entry_id", "entry"),), events=1),
    page(
        "families:entry_in_error",
        "POST",
        {"lead"},
        kw=(("entry_id", "entry"),),
        body=form(reason="Mauvais dossier"),
        changed=lambda w: TimelineEntry.objects.get(pk=w["entry"].pk).is_entered_in_error,
    ),
    page("families:access_report", allow=RECORDING, forbid=FAMILY, events=1),
    page("families:export_json", allow=RECORDING, forbid=FAMILY, events=1),
    page("families:export_html", allow=RECORDING, forbid=FAMILY, events=1),
    page("families:emergency_access", allow=PRACTITIONERS, special="emergency"),
    page(
        "families:emergency_access",
        "POST",
        PRACTITIONERS,
        body=form(reason=""),
        special="emergency",
    ),
]

REFERRAL_ROWS = [
    # Anyone still in the circle but the record holder asks for a new consent, even once
    # theirs lapsed: asking shows nothing, logs no read.
    page(
        "referrals:ask_for_consent",
        "POST",
        {"circle_member", "partner", "partner_no_identity", "partner_withdrawn"},
        changed=lambda w: ConsentRequest.objects.filter(family=w["family"]).exists(),
    ),
    page("referrals:detail", allow=REFERRAL, events=1),
    page(
        "referrals:step",
        "POST",
        RECEIVING,
        forbid=REFERRAL - RECEIVING,
        action="acknowledge",
        body=form(step="acknowledge"),
        events=1,
        write_events=0,
        changed=status_of(Referral, "referral", "received"),
    ),
    page(
        "referrals:step",
        "POST",
        {"lead"},
        forbid=RECEIVING,
        action="cancel",
        body=form(step="cancel"),
        events=1,
        write_events=0,
        changed=status_of(Referral, "referral", "cancelled"),
    ),
    page(
        "referrals:warm_handoff",
        "POST",
        REFERRAL,
        body=form(at="2030-01-15 10:00"),
        events=1,
        write_events=0,
    ),
    page("referrals:attachment", allow=REFERRAL, events=1),
    page("referrals:consultation", allow=CONSULTATION, events=1),
    page(
        "referrals:consultation",
        "POST",
        CONSULTATION,
        body=form(text="Un avis"),
        events=1,
        write_events=1,
        changed=lambda w: w["consultation"].messages.exists(),
    ),
]

OTHER_ROWS = [
    page("directory:organization", allow=LOGGED_IN),
    page("directory:team", allow=LOGGED_IN),
    page("directory:practitioner", allow=LOGGED_IN),
    # Another user's token gets the same answer as a missing one; only its owner revokes it.
    page(
        "revoke_api_token",
        "POST",
        LOGGED_IN,
        changed=lambda w: ApiToken.objects.filter(
            pk=w["token"].pk, revoked_at__isnull=False
        ).exists(),
        only_for=frozenset({"lead"}),
    ),
]


def participant_form(w) -> dict:
    return {
        "add_participant": "1",
        "participant-email": "outsider@hop.example.org",
        "participant-organization": str(w["orgs"]["hop"].pk),
    }


def is_member(user_key):
    return lambda w: GroupMembership.objects.filter(
        group=w["group"], user=w["users"][user_key]
    ).exists()


REVIEW_ROWS = [
    page("reviews:group", allow=MEMBERS),
    page("reviews:group_manage", allow=GROUP_MANAGERS, forbid=PARTICIPANTS),
    page(
        "reviews:group_manage",
        "POST",
        GROUP_MANAGERS,
        forbid=PARTICIPANTS,
        action="add_participant",
        body=participant_form,
        changed=is_member("outsider"),
    ),
    page(
        "reviews:group_manage",
        "POST",
        NETWORK,
        forbid=MEMBERS,
        action="appoint_moderator",
        body=form(appoint_moderator="1", **{"moderator-email": "outsider@hop.example.org"}),
        changed=lambda w: GroupMembership.objects.filter(
            group=w["group"], user=w["users"]["outsider"], role=GroupRole.MODERATOR
        ).exists(),
    ),
    page(
        "reviews:group_manage",
        "POST",
        GROUP_MANAGERS,
        forbid=PARTICIPANTS,
        action="remove",
        body=lambda w: {"remove": str(w["users"]["co_participant"].pk)},
        changed=lambda w: not is_member("co_participant")(w),
    ),
    page("reviews:schedule", allow=MODERATOR, forbid=PARTICIPANTS),
    page("reviews:schedule", "POST", MODERATOR, forbid=PARTICIPANTS, body=form()),
    page("reviews:submit", allow=MEMBERS),
    page("reviews:submit", "POST", MEMBERS, body=form()),
    page("reviews:statistics", allow=MEMBERS),
    page("reviews:statistics_csv", allow=MEMBERS),
    page("reviews:meeting", allow=MEMBERS),
    page("reviews:meeting_edit", allow=MODERATOR, forbid=PARTICIPANTS),
    page("reviews:meeting_edit", "POST", MODERATOR, forbid=PARTICIPANTS, body=form()),
    page(
        "reviews:meeting_close",
        "POST",
        MODERATOR,
        forbid=PARTICIPANTS,
        changed=status_of(Meeting, "meeting", "held"),
    ),
    page(
        "reviews:meeting_cancel",
        "POST",
        MODERATOR,
        forbid=PARTICIPANTS,
        changed=status_of(Meeting, "meeting", "cancelled"),
    ),
    page("reviews:attendance", allow=MODERATOR, forbid=PARTICIPANTS),
    page("reviews:attendance", "POST", MODERATOR, forbid=PARTICIPANTS, body=form()),
    page("reviews:slot", allow=MODERATOR, forbid=PARTICIPANTS),
    page("reviews:slot", "POST", MODERATOR, forbid=PARTICIPANTS, body=form()),
    page("reviews:round_table", allow=MODERATOR, forbid=PARTICIPANTS),
    page("reviews:round_table", "POST", MODERATOR, forbid=PARTICIPANTS, body=form()),
    page("reviews:minutes", allow=MEMBERS),
    page("reviews:minutes_pdf", allow=MEMBERS),
    page("reviews:invitation", allow=MEMBERS),
    page("reviews:analysis", allow=MODERATOR, forbid=PARTICIPANTS),
    page(
        "reviews:analysis",
        "POST",
        MODERATOR,
        forbid=PARTICIPANTS,
        action="analysis",
        body=form(**{"q-malfunction": ""}),
        changed=status_of(Situation, "situation", "presented"),
    ),
    page(
        "reviews:analysis",
        "POST",
        MODERATOR,
        forbid=PARTICIPANTS,
        action="add_action",
        body=form(add_action="1"),
    ),
    page(
        "reviews:follow_up",
        allow=MODERATOR,
        forbid=PARTICIPANTS,
        kw=(("situation_id", "presented"),),
    ),
    page(
        "reviews:follow_up",
        "POST",
        MODERATOR,
        forbid=PARTICIPANTS,
        kw=(("situation_id", "presented"),),
        body=form(note=""),
    ),
    # An action's owner says what became of it between meetings; at a meeting, the moderator.
    page(
        "reviews:meeting_action",
        allow={"moderator", "participant"},
        forbid=MEMBERS,
        kw=REVIEW_ACTION,
    ),
    page(
        "reviews:meeting_action",
        "POST",
        MODERATOR,
        forbid=PARTICIPANTS,
        kw=REVIEW_ACTION,
        body=form(status="in_progress"),
        changed=status_of(ImprovementAction, "improvement", "in_progress"),
    ),
    page("reviews:action", allow={"moderator", "participant"}, forbid=MEMBERS, kw=REVIEW_ACTION),
    page(
        "reviews:action",
        "POST",
        {"moderator", "participant"},
        forbid=MEMBERS,
        kw=REVIEW_ACTION,
        body=form(status="in_progress"),
        changed=status_of(ImprovementAction, "improvement", "in_progress"),
    ),
    page("reviews:situation", allow=MEMBERS),
    page("reviews:situation_edit", allow={"participant"}, forbid=MEMBERS),
    page("reviews:situation_edit", "POST", {"participant"}, forbid=MEMBERS, body=form()),
    page(
        "reviews:situation_withdraw",
        "POST",
        {"participant"},
        forbid=MEMBERS,
        changed=status_of(Situation, "situation", "withdrawn"),
    ),
    page(
        "reviews:queue_move",
        "POST",
        MODERATOR,
        forbid=PARTICIPANTS,
        body=form(direction="up"),
    ),
]

TRAINING_ROWS = [
    page("training:programme", allow=LOGGED_IN),
    page("training:programme_manage", allow=NETWORK),
    *(
        page("training:programme_manage", "POST", NETWORK, action=kind, body=form(add=kind))
        for kind in ("teams", "phase", "topic", "item")
    ),
    page("training:pairings", allow=NETWORK),
    page("training:effects_csv", allow=NETWORK | {"host_lead"}),
    page("training:map_svg", allow=NETWORK | {"host_lead"}),
    page("training:session_create", allow=NETWORK),
    page("training:session_create", "POST", NETWORK, body=form()),
    page("training:session", allow=LOGGED_IN),
    page("training:ics", allow=LOGGED_IN),
    # Visitors from the programme's other teams sign up; the session is seen by all.
    page("training:sign_up", "POST", {"trainee"}, forbid=LOGGED_IN),
    page(
        "training:session_cancel",
        "POST",
        NETWORK,
        forbid=LOGGED_IN,
        changed=status_of(ImmersionSession, "session", "cancelled"),
    ),
    page("training:attendance", allow=SIGN_UP_DECIDERS, forbid=LOGGED_IN),
    page("training:attendance", "POST", SIGN_UP_DECIDERS, forbid=LOGGED_IN, body=form()),
    page(
        "training:confirm",
        "POST",
        SIGN_UP_DECIDERS,
        forbid={"trainee"},
        changed=status_of(SignUp, "sign_up", "confirmed"),
    ),
    page(
        "training:decline",
        "POST",
        SIGN_UP_DECIDERS,
        forbid={"trainee"},
        changed=status_of(SignUp, "sign_up", "declined"),
    ),
    page(
        "training:cancel_sign_up",
        "POST",
        {"trainee"},
        forbid=SIGN_UP_DECIDERS,
        changed=status_of(SignUp, "sign_up", "cancelled"),
    ),
    # A self-assessment is its author's alone: nobody else reads it one by one.
    page("training:self_assessment", allow={"trainee"}, forbid=SIGN_UP_DECIDERS),
    page("training:self_assessment", "POST", {"trainee"}, forbid=SIGN_UP_DECIDERS, body=form()),
]


def _study_revealed(w) -> bool:
    from maillage.evaluation.models import Study

    return Study.objects.filter(pk=w["study"].pk, revealed_at__isnull=False).exists()


def _coding_exists(w) -> bool:
    from maillage.evaluation.models import Coding

    return Coding.objects.filter(pk=w["eval_coding"].pk).exists()


def _study_gone(w) -> bool:
    from maillage.evaluation.models import Study

    return not Study.objects.filter(pk=w["study"].pk).exists()


def _eval_code(name):
    def changed(w) -> bool:
        from maillage.evaluation.models import Code

        return Code.objects.filter(study=w["study"], name=name).exists()

    return changed


EVALUATION_ROWS = [
    page("evaluation:study", allow=EVALUATORS),
    page(
        "evaluation:evaluator_add",
        "POST",
        EVAL_LEAD,
        forbid=EVAL_CODER,
        body=form(email="nobody@example.org", role="coder"),
    ),
    page("evaluation:reveal", "POST", EVAL_LEAD, forbid=EVAL_CODER, changed=_study_revealed),
    page("evaluation:participants", allow=EVALUATORS),
    page(
        "evaluation:participants",
        "POST",
        EVAL_LEAD,
        forbid=EVAL_CODER,
        body=form(real_name="Jean Dupuis"),
        changed=lambda w: w["study"].participants.filter(real_name="Jean Dupuis").exists(),
    ),
    page("evaluation:session_create", allow=EVAL_LEAD, forbid=EVAL_CODER),
    page(
        "evaluation:session_create",
        "POST",
        EVAL_LEAD,
        forbid=EVAL_CODER,
        body=form(setting="CLSC", held_on="2026-02-01"),
        changed=lambda w: w["study"].sessions.filter(setting="CLSC").exists(),
    ),
    page("evaluation:import", allow=EVALUATORS),
    page("evaluation:import", "POST", EVALUATORS, body=form(title="Groupe", kind="transcript")),
    page("evaluation:import_clean", "POST", EVALUATORS, body=form(turns="")),
    page("evaluation:codebook", allow=EVALUATORS),
    page(
        "evaluation:codebook",
        "POST",
        EVALUATORS,
        body=form(name="Nouveau code", colour="#ffffff"),
        changed=_eval_code("Nouveau code"),
    ),
    page(
        "evaluation:codebook_template",
        "POST",
        EVALUATORS,
        body=form(template="cfir_domains"),
        changed=_eval_code("Innovation"),
    ),
    # REFI-QDA exchange (issue 16): the lead's.
    page("evaluation:export_qdpx", allow=EVAL_LEAD, forbid=EVAL_CODER),
    page("evaluation:export_qdc", allow=EVAL_LEAD, forbid=EVAL_CODER),
    page("evaluation:import_qdc", allow=EVAL_LEAD, forbid=EVAL_CODER),
    page("evaluation:import_qdc", "POST", EVAL_LEAD, forbid=EVAL_CODER, body=form()),
    # The end of a study (issue 15, item 8): its archive, then its deletion; the lead's.
    page("evaluation:study_archive", allow=EVAL_LEAD, forbid=EVAL_CODER),
    page("evaluation:study_delete", allow=EVAL_LEAD, forbid=EVAL_CODER),
    page(
        "evaluation:study_delete",
        "POST",
        EVAL_LEAD,
        forbid=EVAL_CODER,
        body=lambda w: {"confirm_title": w["study"].title},
        changed=_study_gone,
    ),
    page("evaluation:report_pdf", allow=EVALUATORS),
    page("evaluation:agreement", allow=EVALUATORS),
    page("evaluation:agreement_csv", allow=EVALUATORS),
    page("evaluation:matrix", allow=EVALUATORS),
    page("evaluation:quotes", allow=EVALUATORS),
    page("evaluation:matrix_csv", allow=EVALUATORS),
    page("evaluation:report", allow=EVALUATORS),
    page("evaluation:document", allow=EVALUATORS),
    page(
        "evaluation:coding_add",
        "POST",
        EVALUATORS,
        body=lambda w: {"start": 0, "end": 5, "codes": [str(w["eval_other_code"].pk)]},
        changed=lambda w: w["eval_other_code"].codings.exists(),
    ),
    # A coding is its coder's (the lead's here): the other evaluator sees it, may not touch it.
    page(
        "evaluation:coding_delete",
        "POST",
        EVAL_LEAD,
        forbid=EVAL_CODER,
        changed=lambda w: not _coding_exists(w),
    ),
    page("evaluation:coding_memo", "POST", EVAL_LEAD, forbid=EVAL_CODER, body=form(text="Vu")),
    page("evaluation:code", allow=EVALUATORS),
    page(
        "evaluation:code",
        "POST",
        EVALUATORS,
        body=form(name="Se connaître mieux", colour="#ffffff"),
        changed=_eval_code("Se connaître mieux"),
    ),
    page(
        "evaluation:code_merge",
        "POST",
        EVALUATORS,
        body=lambda w: {"target": str(w["eval_other_code"].pk)},
        changed=lambda w: not _eval_code("Se connaître")(w),
    ),
    page(
        "evaluation:code_split",
        "POST",
        EVALUATORS,
        body=form(new_name="Se reconnaître"),
        changed=_eval_code("Se reconnaître"),
    ),
    page("evaluation:code_memo", "POST", EVALUATORS, body=form(text="Un mémo")),
]

API_ROWS = [
    api("/families/{family_id}", allow=FAMILY, events=1),
    api("/families/{family_id}/consents", allow=FAMILY, events=1),
    api(
        "/families/{family_id}/consents/{consent_id}/withdraw",
        "POST",
        HOLDER,
        forbid=FAMILY - HOLDER,
        body=form(reason=""),
        changed=consent_withdrawn,
    ),
    api("/families/{family_id}/circle", allow=FAMILY, events=1),
    api("/families/{family_id}/plan", allow=FAMILY_PLAN, events=1),
    api(
        "/families/{family_id}/plan/actions/{action_id}",
        "PATCH",
        CIRCLE,
        forbid=FAMILY - CIRCLE,
        kw=PLAN_ACTION,
        body=form(version=1, status="in_progress"),
    ),
    api("/families/{family_id}/timeline", allow=FAMILY, events=1),
    api(
        "/families/{family_id}/timeline",
        "POST",
        CIRCLE,
        forbid=FAMILY - CIRCLE,
        body=form(kind="phone_call", category="plan", text="Appel"),
    ),
    api(
        "/families/{family_id}/timeline/{entry_id}/entered-in-error",
        "POST",
        {"lead"},
        forbid=FAMILY - {"lead"},  # they see the entry: forbidden, not hidden
        kw=(("entry_id", "entry"),),
        body=form(reason="Mauvais dossier"),
        changed=lambda w: TimelineEntry.objects.get(pk=w["entry"].pk).is_entered_in_error,
    ),
    api("/referrals/{referral_id}", allow=REFERRAL, events=1),
    api(
        "/referrals/{referral_id}/steps",
        "POST",
        RECEIVING,
        forbid=REFERRAL - RECEIVING,
        action="acknowledge",
        body=form(step="acknowledge"),
        write_events=0,
        changed=status_of(Referral, "referral", "received"),
    ),
    api(
        "/referrals/{referral_id}/steps",
        "POST",
        {"lead"},
        forbid=RECEIVING,
        action="cancel",
        body=form(step="cancel"),
        write_events=0,
        changed=status_of(Referral, "referral", "cancelled"),
    ),
    api("/reviews/groups/{group_id}", allow=MEMBERS),
    api("/reviews/groups/{group_id}/meetings", allow=MEMBERS),
    api("/reviews/meetings/{meeting_id}", allow=MEMBERS),
    api("/reviews/groups/{group_id}/situations", allow=MEMBERS),
    api(
        "/reviews/groups/{group_id}/situations",
        "POST",
        MEMBERS,
        body=form(
            kind="malfunction",
            title="Un rappel oublié",
            narrative="Le rappel convenu entre les équipes n'a pas été fait.",
            sectors=["primary_care", "hospital"],
        ),
        changed=lambda w: Situation.objects.filter(title="Un rappel oublié").exists(),
    ),
    api("/reviews/situations/{situation_id}", allow=MEMBERS),
    api("/reviews/groups/{group_id}/statistics", allow=MEMBERS),
    api("/training/programmes/{programme_id}", allow=LOGGED_IN),
    api("/training/programmes/{programme_id}/sessions", allow=LOGGED_IN),
    api("/training/sessions/{session_id}", allow=LOGGED_IN),
    api(
        "/training/sessions/{session_id}/sign-ups",
        "POST",
        {"trainee"},
        forbid=LOGGED_IN,
        body=form(),
    ),
    api("/training/programmes/{programme_id}/pairings", allow=NETWORK),
    api("/training/programmes/{programme_id}/effects", allow=NETWORK | {"host_lead"}),
    api("/directory/organizations/{organization_id}", allow=LOGGED_IN),
    api("/directory/teams/{team_id}", allow=LOGGED_IN),
    api("/directory/practitioners/{practitioner_id}", allow=LOGGED_IN),
    api("/evaluation/studies/{study_id}", allow=EVALUATORS),
    api("/evaluation/studies/{study_id}/codes", allow=EVALUATORS),
    api("/evaluation/studies/{study_id}/archive", allow=EVAL_LEAD, forbid=EVAL_CODER),
    api(
        "/evaluation/studies/{study_id}",
        "DELETE",
        EVAL_LEAD,
        forbid=EVAL_CODER,
        body=lambda w: {"confirm_title": w["study"].title},
        changed=_study_gone,
    ),
    api(
        "/evaluation/studies/{study_id}/codes",
        "POST",
        EVALUATORS,
        body=form(name="Code par l'API"),
        changed=_eval_code("Code par l'API"),
    ),
    api(
        "/evaluation/studies/{study_id}/documents",
        "POST",
        EVALUATORS,
        body=form(title="Par l'API", turns=[{"speaker": "P01", "text": "On se parle."}]),
        changed=lambda w: w["study"].documents.filter(title="Par l'API").exists(),
    ),
    api("/evaluation/studies/{study_id}/agreement", allow=EVALUATORS),
    # Participants and focus groups: read by the study's evaluators (real names by the lead
    # only: tests/evaluation/test_api_people.py), written by the lead, as on their pages.
    api("/evaluation/studies/{study_id}/participants", allow=EVALUATORS),
    api(
        "/evaluation/studies/{study_id}/participants",
        "POST",
        EVAL_LEAD,
        forbid=EVAL_CODER,
        body=form(real_name="Jean Dupuis"),
        changed=lambda w: w["study"].participants.filter(real_name="Jean Dupuis").exists(),
    ),
    api(
        "/evaluation/participants/{participant_id}",
        "PATCH",
        EVAL_LEAD,
        forbid=EVAL_CODER,
        body=form(consent_note="Signé par l'API"),
        changed=lambda w: w["study"].participants.filter(consent_note="Signé par l'API").exists(),
    ),
    api("/evaluation/studies/{study_id}/focus-groups", allow=EVALUATORS),
    api(
        "/evaluation/studies/{study_id}/focus-groups",
        "POST",
        EVAL_LEAD,
        forbid=EVAL_CODER,
        body=form(setting="CRD par l'API", held_on="2026-03-01"),
        changed=lambda w: w["study"].sessions.filter(setting="CRD par l'API").exists(),
    ),
    api(
        "/evaluation/focus-groups/{focus_group_id}",
        "PATCH",
        EVAL_LEAD,
        forbid=EVAL_CODER,
        body=form(moderator="Animatrice par l'API"),
        changed=lambda w: w["study"].sessions.filter(moderator="Animatrice par l'API").exists(),
    ),
    api("/evaluation/exchange/studies/{study_id}/export.qdpx", allow=EVAL_LEAD, forbid=EVAL_CODER),
    api(
        "/evaluation/exchange/studies/{study_id}/codebook",
        "POST",
        EVAL_LEAD,
        forbid=EVAL_CODER,
        body=form(),
    ),
    api("/evaluation/documents/{document_id}", allow=EVALUATORS),
    api(
        "/evaluation/documents/{document_id}/codings",
        "POST",
        EVALUATORS,
        body=lambda w: {"code_ids": [str(w["eval_other_code"].pk)], "start": 0, "end": 5},
        changed=lambda w: w["eval_other_code"].codings.exists(),
    ),
    api(
        "/evaluation/codings/{coding_id}",
        "DELETE",
        EVAL_LEAD,
        forbid=EVAL_CODER,
        changed=lambda w: not _coding_exists(w),
    ),
]

# Programmes in practice (implementation/permissions.py). Two sites: the lead's team (the
# family is enrolled there) and the partner's team (led by partner_lead), the `site` of the
# site rows. Programmes, sites and the register are read by every account; the dashboard is
# for the network and the leads of a site's team; a family's enrolment follows the family's
# rule, and recording for it asks also to work at the enrolment's site.
PRACTICE = (("programme_id", "practice"),)
SITE_TEAM = frozenset({"partner", "partner_no_identity", "partner_withdrawn", "partner_lead"}) | {
    "receiver"
}
SITE_LEADS = frozenset({"partner_lead"})
BOARD = NETWORK | SITE_LEADS
TRAINERS = frozenset({"coordinator"}) | SITE_LEADS
COORDINATOR = frozenset({"coordinator"})
# In the family's circle with its plan: the enrolment's writes go through for the lead
# alone (who works at its site); the others are told which field is wrong (422).
ENROLMENT_WRITERS = CIRCLE
PAST = "2025-01-15"


# After the world's enrolment (20 days ago) and its session (10 days ago).
def yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def exists(model, **lookup):
    return lambda w: model.objects.filter(**lookup).exists()


def sessions_recorded(w) -> bool:
    return ProgrammeSession.objects.filter(enrolment=w["enrolment"]).count() > 1


def training_form(w) -> dict:
    return {
        "practitioner": str(w["users"]["partner"].practitioner.pk),
        "kind": "booster",
        "on": PAST,
        "hours": "3",
        "topic": "Rappel",
    }


IMPLEMENTATION_ROWS = [
    page("implementation:programme", allow=LOGGED_IN, kw=PRACTICE),
    page(
        "implementation:programme",
        "POST",
        NETWORK,
        forbid=LOGGED_IN,
        kw=PRACTICE,
        body=lambda w: {"team": str(w["teams"]["youth"].pk)},
        changed=lambda w: Site.objects.filter(team=w["teams"]["youth"]).exists(),
    ),
    page("implementation:adaptation_create", allow=COORDINATOR, forbid=LOGGED_IN, kw=PRACTICE),
    page(
        "implementation:adaptation_create",
        "POST",
        COORDINATOR,
        forbid=LOGGED_IN,
        kw=PRACTICE,
        body=form(made_on=PAST, what="Séances de 45 min", why="Fatigue", made_by="L'équipe"),
        changed=exists(Adaptation, what="Séances de 45 min"),
    ),
    page("implementation:dashboard", allow=BOARD, kw=PRACTICE),
    page("implementation:dashboard_csv", allow=BOARD, kw=PRACTICE),
    page("implementation:site", allow=LOGGED_IN),
    page("implementation:site_dashboard", allow=BOARD),
    # The departures of a site's trained practitioners are named: its training log's readers.
    page("implementation:departures", allow=NETWORK | SITE_LEADS, forbid=LOGGED_IN),
    page(
        "implementation:departures",
        "POST",
        TRAINERS,
        forbid=LOGGED_IN,
        body=lambda w: {
            "practitioner": str(w["users"]["partner"].practitioner.pk),
            "left_on": yesterday(),
        },
        changed=exists(Departure),
    ),
    page(
        "implementation:stage_record",
        "POST",
        NETWORK,
        forbid=LOGGED_IN,
        body=form(stage="engagement", started_on=PAST, activities_planned=2, activities_done=1),
        changed=exists(SiteStage, stage="engagement"),
    ),
    page(
        "implementation:training_record",
        "POST",
        TRAINERS,
        forbid=LOGGED_IN,
        body=training_form,
        changed=exists(TrainingRecord, kind="booster"),
    ),
    page(
        "implementation:supervision_record",
        "POST",
        TRAINERS,
        forbid=LOGGED_IN,
        body=lambda w: {
            "practitioner": str(w["users"]["partner"].practitioner.pk),
            "on": PAST,
            "minutes": "60",
            "cases_discussed": "2",
        },
        changed=exists(Supervision, minutes=60),
    ),
    page("implementation:sustainability", allow=SITE_TEAM, forbid=LOGGED_IN),
    page(
        "implementation:sustainability",
        "POST",
        SITE_TEAM,
        forbid=LOGGED_IN,
        body=lambda w: {f"item_{i.pk}": "5" for i in SustainabilityItem.objects.all()},
        changed=exists(SustainabilityAssessment),
    ),
    page("implementation:item_edit", allow=COORDINATOR),
    page(
        "implementation:item_edit",
        "POST",
        COORDINATOR,
        body=form(domain="partnerships", text_fr="Nos partenaires", text_en="Our partners"),
        changed=exists(SustainabilityItem, text_fr="Nos partenaires"),
    ),
    page("implementation:family", allow=FAMILY_PLAN, events=1),
    page(
        "implementation:family",
        "POST",
        ENROLMENT_WRITERS,
        body=lambda w: {"site": str(w["practice_site"].pk), "referred_on": PAST},
        events=1,  # already enrolled, or not working at a site: the page again, 422
    ),
    page("implementation:enrolment", allow=FAMILY_PLAN, events=1),
    page(
        "implementation:enrolment",
        "POST",
        ENROLMENT_WRITERS,
        action="session",
        body=lambda w: {
            "action": "session",
            "held_on": yesterday(),
            "attended": "on",
            "fidelity_0": "4",
            "rated_by": "practitioner",
        },
        events=1,
        changed=sessions_recorded,
        only_for=frozenset({"lead"}),
    ),
    page(
        "implementation:enrolment",
        "POST",
        ENROLMENT_WRITERS,
        action="step",
        body=lambda w: {
            "action": "step",
            "to": "exited",
            "on": yesterday(),
            "exit_reason": "moved",
            "version": w["enrolment"].version,
        },
        events=1,
        changed=lambda w: (
            type(w["enrolment"]).objects.filter(pk=w["enrolment"].pk, status="exited").exists()
        ),
        only_for=frozenset({"lead"}),
    ),
    page("implementation:factor", allow=LOGGED_IN),
    page(
        "implementation:factor",
        "POST",
        COORDINATOR,
        forbid=LOGGED_IN,
        action="add",
        body=form(action="add", description="Un bottin des remplaçantes", due_date="2030-01-15"),
        changed=exists(FactorAction, description="Un bottin des remplaçantes"),
    ),
    page(
        "implementation:factor",
        "POST",
        COORDINATOR,
        forbid=LOGGED_IN,
        action="status",
        body=form(action="status", to="open"),
        changed=exists(Factor, status="open"),
    ),
    page(
        "implementation:factor",
        "POST",
        COORDINATOR,
        forbid=LOGGED_IN,
        action="action_status",
        body=lambda w: {
            "action": "action_status",
            "action_id": str(w["factor_action"].pk),
            "to": "in_progress",
        },
        changed=status_of(FactorAction, "factor_action", "in_progress"),
    ),
    # The moderator files the analysed malfunction; the group's participants see it, may not.
    page(
        "implementation:file_situation",
        "POST",
        MODERATOR,
        forbid=PARTICIPANTS,
        kw=(("situation_id", "presented"),),
        body=form(category="organizational"),
        changed=lambda w: Factor.objects.filter(situation=w["presented"]).exists(),
    ),
]


def step_body(w) -> dict:
    return {"to": "exited", "on": yesterday(), "exit_reason": "moved", "version": 1}


IMPLEMENTATION_API_ROWS = [
    api("/implementation/sites/{site_id}/dashboard", allow=BOARD),
    api(
        "/implementation/families/{family_id}/enrolments",
        "POST",
        ENROLMENT_WRITERS,
        forbid=FAMILY - ENROLMENT_WRITERS,  # sees the family, not in its circle: 403
        body=lambda w: {"site": str(w["practice_site"].pk), "referred_on": PAST},
    ),
    api(
        "/implementation/enrolments/{enrolment_id}/steps",
        "POST",
        ENROLMENT_WRITERS,
        body=step_body,
        changed=status_of(Enrolment, "enrolment", "exited"),
        only_for=frozenset({"lead"}),
    ),
    api(
        "/implementation/sites/{site_id}/stages",
        "POST",
        NETWORK,
        forbid=LOGGED_IN,
        body=form(stage="feasibility", started_on=PAST, activities_planned=3),
        changed=exists(SiteStage, stage="feasibility"),
    ),
    api(
        "/implementation/sites/{site_id}/trainings",
        "POST",
        TRAINERS,
        forbid=LOGGED_IN,
        body=lambda w: {
            "practitioner": str(w["users"]["partner"].practitioner.pk),
            "kind": "certification",
            "on": PAST,
            "hours": 2,
        },
        changed=exists(TrainingRecord, kind="certification"),
    ),
    api(
        "/implementation/sites/{site_id}/supervisions",
        "POST",
        TRAINERS,
        forbid=LOGGED_IN,
        body=lambda w: {
            "practitioner": str(w["users"]["partner"].practitioner.pk),
            "on": PAST,
            "minutes": 45,
        },
        changed=exists(Supervision, minutes=45),
    ),
    api("/implementation/sites/{site_id}/departures", allow=NETWORK | SITE_LEADS, forbid=LOGGED_IN),
    api(
        "/implementation/sites/{site_id}/departures",
        "POST",
        TRAINERS,
        forbid=LOGGED_IN,
        body=lambda w: {
            "practitioner": str(w["users"]["partner"].practitioner.pk),
            "left_on": yesterday(),
        },
        changed=exists(Departure),
    ),
    api(
        "/implementation/sites/{site_id}/sustainability",
        "POST",
        SITE_TEAM,
        forbid=LOGGED_IN,
        body=lambda w: {
            "scores": {str(i.pk): 6 for i in SustainabilityItem.objects.filter(is_active=True)}
        },
        changed=exists(SustainabilityAssessment),
    ),
    api("/implementation/programmes/{programme_id}", allow=LOGGED_IN, kw=PRACTICE),
    api("/implementation/programmes/{programme_id}/dashboard", allow=BOARD, kw=PRACTICE),
    api("/implementation/sites/{site_id}", allow=LOGGED_IN),
    api("/implementation/families/{family_id}/enrolments", allow=FAMILY_PLAN, events=1),
    api("/implementation/enrolments/{enrolment_id}", allow=FAMILY_PLAN, events=1),
    api(
        "/implementation/enrolments/{enrolment_id}/sessions",
        "POST",
        ENROLMENT_WRITERS,
        body=lambda w: {
            "held_on": yesterday(),
            "fidelity": {"Réflexion sur l'enfant": 5},
            "rated_by": "supervisor",
        },
        changed=sessions_recorded,
        only_for=frozenset({"lead"}),
    ),
]


# The FHIR endpoint's operations (the others are in tests/interop/test_fhir_authorization.py,
# with the same actors): each actor speaks with a personal token of its own.
def directory_bundle(w) -> dict:
    """A FHIR transaction that renames the CLSC: a directory update."""
    clsc = w["orgs"]["clsc"]
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": {
                    "resourceType": "Organization",
                    "id": str(clsc.pk),
                    "name": "CLSC Nord",
                },
                "request": {"method": "PUT", "url": f"Organization/{clsc.pk}"},
            }
        ],
    }


FHIR_ROWS = [
    fhir("/Location/{organization_id}", allow=LOGGED_IN),
    fhir("/RelatedPerson/{caregiver_id}", allow=FAMILY, events=1),
    # The directory is seen by all: updating it is forbidden (403) but to its managers.
    fhir(
        "/",
        "POST",
        NETWORK,
        forbid=LOGGED_IN,
        action="directory",
        body=directory_bundle,
        changed=lambda w: Organization.objects.filter(name="CLSC Nord").exists(),
    ),
]

ROWS = (
    FAMILY_ROWS
    + REFERRAL_ROWS
    + OTHER_ROWS
    + REVIEW_ROWS
    + TRAINING_ROWS
    + EVALUATION_ROWS
    + IMPLEMENTATION_ROWS
    + API_ROWS
    + IMPLEMENTATION_API_ROWS
    + FHIR_ROWS
)
PAGE_ROWS = [r for r in ROWS if not r.api]


def cells():
    for row in ROWS:
        for actor in ACTORS:
            marks = []
            if actor in row.xfail:
                marks.append(pytest.mark.xfail(strict=True, reason=row.xfail[actor]))
            yield pytest.param(row, actor, id=f"{row.id} | {actor}", marks=marks)


CELLS = list(cells())


# --- running a cell -----------------------------------------------------------------------


def prepare(actor: str, w: dict, client, verified_login, *, by_token: bool = False):
    """Logs the actor in (after changing what the consent shares, for the partner's
    variants), or gives it a personal token (`by_token`, the FHIR endpoint); returns the
    client and the headers of its requests."""
    if actor == "anonymous":
        return client, {}
    if actor == TOKEN:
        from maillage.core.services import create_api_token

        _token, secret = create_api_token(user=w["users"]["outsider"], name="matrix")
        return client, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    if actor == "partner_no_identity":
        Consent.objects.filter(pk=w["consent"].pk).update(categories=",plan,notes,")
        forget_shares()
    if actor == "partner_withdrawn":
        lead = User.objects.get(pk=w["users"]["lead"].pk)
        for consent in Consent.objects.filter(family=w["family"]):
            family_services.withdraw_consent(by=lead, consent=consent)
    user = User.objects.get(pk=w["users"][ACCOUNT.get(actor, actor)].pk)
    if by_token:
        from maillage.core.services import create_api_token

        _token, secret = create_api_token(user=user, name="matrix")
        return client, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    return verified_login(user), {}


def url_of(row: Row, w: dict) -> str:
    params = dict(PARAMETERS) | dict(row.kw)
    if row.api:
        return re.sub(r"\{(\w+)\}", lambda m: str(w[params[m.group(1)]].pk), row.route)
    pattern = dict(_page_routes())[row.route]
    names = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
    kwargs = {n: ("before" if n == "moment" else w[params[n]].pk) for n in names}
    return reverse(row.route, kwargs=kwargs)


def family_events(w) -> int:
    """The reads in the family's access report: its own events and the lists naming it."""
    return family_selectors.access_report(w["family"]).filter(action=Action.VIEWED).count()


def body_text(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    text = raw.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        # JSON escapes accented letters ("C\u00f4t\u00e9"): compare the text itself.
        with contextlib.suppress(ValueError):
            text += json.dumps(json.loads(text), ensure_ascii=False)
    return text


def expected_status(row: Row, actor: str, w: dict) -> set[int]:
    if actor == "anonymous":
        return {401} if row.api else {302}
    if actor == TOKEN and not row.api:
        return {302}  # a token opens the API only: on a page, as if anonymous
    if row.special == "emergency":
        # The break-glass form shows nothing personal; those who already see the family
        # are sent to it, coordinators and administrators are refused.
        if actor in FAMILY:
            return {302}
        if actor in row.allow:
            return {200} if row.is_read else {400}
        return {404}
    if actor in row.allow:
        if row.is_read:
            return {200}
        return {200, 201, 204, 302, 400, 409, 422}
    if actor in row.forbid:
        return {403, 404}
    return {404}


@pytest.mark.parametrize(("row", "actor"), CELLS)
def test_matrix(row: Row, actor: str, world, matrix_client, matrix_login):
    w = world
    client, headers = prepare(actor, w, matrix_client, matrix_login, by_token=row.fhir)
    url = url_of(row, w)
    body = row.body(w) if row.body else {}
    before = family_events(w)
    changed_before = row.changed(w) if row.changed else None
    if row.api:
        kind = "application/fhir+json" if row.fhir else "application/json"
        response = client.generic(
            row.method, url, data=json.dumps(body), content_type=kind, **headers
        )
    else:
        response = getattr(client, row.method.lower())(url, body, **headers)
    status = response.status_code
    written = family_events(w) - before

    expected = expected_status(row, actor, w)
    assert status in expected, f"{actor} on {row.id}: {status}, expected {sorted(expected)}"
    if status == 302 and (actor == "anonymous" or actor == TOKEN) and not row.api:
        assert response["Location"].startswith(reverse("login"))

    allowed = actor in row.allow and actor != "anonymous" and (row.api or actor != TOKEN)
    # A write went through: a redirect (pages), 201 or 200 with the object (API).
    went_through = allowed and (status in (201, 204, 302) or (row.api and status == 200))
    if not allowed or row.special == "emergency":
        assert written == 0, f"{actor} on {row.id}: {written} access events when refused"
    elif row.is_read:
        assert written == row.events, f"{actor} read {row.id}: {written} access events"
    elif went_through:
        assert written == row.write_events, f"{actor} wrote {row.id}: {written} access events"
    else:  # a write refused for its content re-shows its page: a read
        assert written in (0, row.events), f"{actor} on {row.id}: {written} access events"

    if row.changed is not None:
        now_changed = row.changed(w)
        may_change = allowed and (row.only_for is None or actor in row.only_for)
        if not may_change:
            assert now_changed == changed_before, f"{actor} changed something by {row.id}"
        elif went_through:
            assert now_changed, f"{actor}'s {row.id} answered {status} but changed nothing"

    content = body_text(response)
    if actor not in SEES_NAMES or not allowed:
        for text in NAMES:
            assert text not in content, f"{text!r} shown to {actor} by {row.id}"


# --- the rows cover every route -----------------------------------------------------------


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}:{p.name}".strip(":"), prefix + str(p.pattern), p.callback


def _page_routes():
    return [(name, pattern) for name, pattern, _cb in _walk(get_resolver().url_patterns)]


# How a multi-action POST names its action, in the view or the helpers it calls.
_ACTION_PATTERNS = [
    r'\baction == "(\w+)"',
    r'"(\w+)" in request\.POST',
    r'\bkind == "(\w+)"',
]


def _posted_actions(callback) -> set[str]:
    view = inspect.unwrap(callback)
    source = inspect.getsource(view)
    module = inspect.getmodule(view)
    for helper in set(re.findall(r"\b(_\w+)\(", source)):
        function = getattr(module, helper, None)
        if inspect.isfunction(function):
            source += inspect.getsource(function)
    found = set()
    for pattern in _ACTION_PATTERNS:
        found.update(re.findall(pattern, source))
    return found


def test_every_route_with_an_object_has_rows(client):
    """A new route with an object in its path, or a new action of a multi-action POST, or
    a new method of an API path, fails here until its rows are written."""
    pages = {
        name: callback
        for name, pattern, callback in _walk(get_resolver().url_patterns)
        if "<uuid:" in pattern
    }
    covered_pages = {r.route for r in PAGE_ROWS}
    missing = sorted(set(pages) - covered_pages)
    assert not missing, f"Pages with an object in their path and no row: {missing}"
    assert covered_pages <= set(pages), sorted(covered_pages - set(pages))
    for name, callback in pages.items():
        actions = _posted_actions(callback)
        rows = {r.action for r in PAGE_ROWS if r.route == name and r.method == "POST"}
        if actions:
            assert actions <= rows, f"{name}: POST actions without a row: {actions - rows}"

    document = client.get("/api/v1/openapi.json").json()
    operations = {
        (method.upper(), path)
        for path, methods in document["paths"].items()
        if re.search(r"\{\w+_id\}", path)
        for method in methods
    }
    covered = {(r.method, r.route) for r in ROWS if r.api and not r.fhir}
    missing = sorted(operations - covered)
    assert not missing, f"API operations with an object in their path and no row: {missing}"
    assert covered <= operations, sorted(covered - operations)


def test_cell_count():
    """The figure in the module's docstring."""
    count = len(CELLS)
    print(f"authorization matrix: {len(ROWS)} rows x {len(ACTORS)} actors = {count} cells")
    assert f"{len(ROWS)} rows x {len(ACTORS)} actors = {count}" in __doc__


# --- lists that show families -------------------------------------------------------------

# (route, who sees the family in it): caseloads list the families one is in the circle
# of and may open; inboxes the referrals the consent still opens to the receiving team.
LISTS = [
    ("families:caseload", CIRCLE),
    ("/api/v1/families/", CIRCLE),
    ("referrals:inbox", RECEIVING),
    ("/api/v1/referrals/inbox", RECEIVING),
]


@pytest.mark.parametrize("actor", sorted(LOGGED_IN - {TOKEN}))
@pytest.mark.parametrize(("route", "sees"), LISTS, ids=[r for r, _ in LISTS])
def test_lists_log_one_event_per_family_shown(
    route, sees, actor, world, matrix_client, matrix_login
):
    w = world
    client, headers = prepare(actor, w, matrix_client, matrix_login)
    before = family_events(w)
    response = client.get(route if route.startswith("/") else reverse(route), **headers)
    assert response.status_code == 200, response.status_code
    # A caseload names the families whose consent lapsed by reference only, apart, for the
    # reader to ask for a new consent: that section shows nothing of them and logs nothing.
    content = body_text(response).split('id="lapsed-title"')[0]
    shown = any(
        mark in content for mark in (w["family"].reference, str(w["referral"].pk), "Mélanie")
    )
    assert shown == (actor in sees), f"{actor} on {route}: shown={shown}"
    assert family_events(w) - before == (1 if actor in sees else 0)
    if actor not in SEES_NAMES:
        for text in NAMES:
            assert text not in content, f"{text!r} shown to {actor} by {route}"


# FHIR searches that show families: those the reader follows in a circle of care and may
# open (the caseload's rule), one access event per family shown.
FHIR_LISTS = [("RelatedPerson", CIRCLE, "Jérôme")]


@pytest.mark.parametrize("actor", sorted(LOGGED_IN))
@pytest.mark.parametrize(("kind", "sees", "mark"), FHIR_LISTS, ids=[k for k, _s, _m in FHIR_LISTS])
def test_fhir_searches_log_one_event_per_family_shown(
    kind, sees, mark, actor, world, matrix_client, matrix_login
):
    w = world
    client, headers = prepare(actor, w, matrix_client, matrix_login, by_token=True)
    before = family_events(w)
    response = client.get(f"/fhir/R4/{kind}", **headers)
    assert response.status_code == 200, response.status_code
    content = body_text(response)
    shown = str(w["father"].pk) in content
    assert shown == (actor in sees), f"{actor} on {kind}: shown={shown}"
    assert family_events(w) - before == (1 if actor in sees else 0)
    names_shown = mark in content
    assert names_shown == (shown and actor in FAMILY_IDENTITY), f"{actor}: names={names_shown}"
    for text in NAMES:
        assert (text in content) <= (actor in SEES_NAMES), f"{text!r} shown to {actor}"
