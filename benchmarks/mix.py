"""The requests of the mix, built the same way for the in-process SQL capture (Django's
test client) and for the load over HTTP.

A virtual user is a plain dict from the plan (see prepare.py): its e-mail, the families it
follows, the plan actions of the families it leads (with their current version) and the
requested referrals of its teams that it may acknowledge (then hold, then decline).
Writes take a fresh object, or the next step, or the action's current version, so that
a conflict (409) never happens by design; if one does, it is counted apart from errors.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .config import SEARCHES

ACTION_STATUSES = ["todo", "in_progress", "done", "cancelled"]
# What a receiving team does with a referral it cannot take, one step a request: it
# acknowledges it, puts it on its waiting list, then declines it. Three samples a pooled
# referral (the pools hold some 400: one step each gave fewer than 300 under load), and
# none of these steps changes a circle of care, which the other requests read.
RECEIVER_PATH = (
    ("acknowledge", {}),
    ("hold", {"on_hold_until": (datetime.now(UTC).date() + timedelta(days=30)).isoformat()}),
    ("reject", {"reject_reason": "no_capacity"}),
)
# A team's open referrals, as a partner system asks for them over FHIR.
OPEN_TASKS = "requested,accepted,in-progress,on-hold"


@dataclass
class Request:
    kind: str
    method: str
    path: str
    data: dict | None = None
    ok: tuple[int, ...] = (200,)
    # Called with True after a success, to move the user's state on (versions, pools).
    on_done: object = None
    meta: dict = field(default_factory=dict)
    # Sent with the request: the FHIR endpoint takes a personal token, not the session.
    headers: dict = field(default_factory=dict)


# What a user must have to send a request of a type (plan keys; see prepare.py).
NEEDS = {
    "family": "families",
    "timeline": "families",
    "referral_step": "referrals",
    "plan_action_update": "actions",
    "programme_dashboard": "dashboards",
    "transcript": "transcripts",
    "fhir_tasks": "token",
}


def user_weights(mix: dict[str, float], users: list[dict]) -> list[list[float]]:
    """Each user's weights over the mix's types. A type only some users can send (only a
    site's team lead sees a programme's dashboard) is drawn more often by them, so that its
    share of all requests stays what the mix says and its samples suffice for a p99."""
    able = {
        kind: [bool(user.get(NEEDS[kind])) if kind in NEEDS else True for user in users]
        for kind in mix
    }
    weights = []
    for index in range(len(users)):
        row = []
        for kind, weight in mix.items():
            senders = sum(able[kind])
            row.append(weight * len(users) / senders if able[kind][index] else 0.0)
            # (no sender at all: the type is left out, as build() would skip it anyway)
        weights.append(row)
    return weights


def build(kind: str, user: dict, rng: random.Random) -> Request | None:
    """The next request of this kind for this user, or None when it has nothing for it."""
    if kind == "caseload":
        return Request(kind, "GET", "/families/")
    if kind == "api_families":
        return Request(kind, "GET", "/api/v1/families/")
    if kind == "inbox":
        return Request(kind, "GET", "/referrals/")
    if kind == "directory_search":
        return Request(kind, "GET", "/directory/", data={"q": rng.choice(SEARCHES)})
    if kind == "fhir_tasks":
        if not user.get("token") or not user["teams"]:
            return None
        team = rng.choice(user["teams"])
        return Request(
            kind,
            "GET",
            "/fhir/R4/Task",
            data={"owner": f"Organization/{team}", "status": OPEN_TASKS},
            headers={"Authorization": f"Bearer {user['token']}"},
        )
    if kind in ("family", "timeline"):
        if not user["families"]:
            return None
        family = rng.choice(user["families"])
        suffix = "timeline/" if kind == "timeline" else ""
        return Request(kind, "GET", f"/families/{family}/{suffix}")
    if kind == "programme_dashboard":
        # Only the leads of a site's team (and coordinators) see a programme's dashboard.
        if not user.get("dashboards"):
            return None
        programme = rng.choice(user["dashboards"])
        return Request(kind, "GET", f"/programmes/programmes/{programme}/dashboard/")
    if kind == "transcript":
        if not user.get("transcripts"):
            return None
        return Request(kind, "GET", f"/studies/documents/{rng.choice(user['transcripts'])}/")
    if kind == "referral_step":
        if not user["referrals"]:
            return None
        referral = user["referrals"][0]
        taken = user.setdefault("referral_steps", {})
        step, details = RECEIVER_PATH[taken.get(referral, 0)]

        def consumed(success: bool) -> None:
            # The next step of the path, or the next referral once the path is walked (or a
            # step refused): a referral is never asked the same step twice.
            taken[referral] = taken.get(referral, 0) + 1
            done = not success or taken[referral] == len(RECEIVER_PATH)
            if done and user["referrals"] and user["referrals"][0] == referral:
                user["referrals"].pop(0)

        return Request(
            kind,
            "POST",
            f"/referrals/{referral}/step/",
            data={"step": step, "note": "", **details},
            ok=(302,),
            on_done=consumed,
        )
    if kind == "plan_action_update":
        if not user["actions"]:
            return None
        action = rng.choice(user["actions"])
        status = ACTION_STATUSES[(ACTION_STATUSES.index(action["status"]) + 1) % 4]

        def saved(success: bool) -> None:
            if success:
                action["version"] += 1
                action["status"] = status

        return Request(
            kind,
            "POST",
            f"/families/{action['family']}/plan/actions/{action['id']}/",
            data={
                "description": action["description"],
                "owner": action["owner"],
                "due_date": action["due_date"] or "",
                "status": status,
                "version": action["version"],
            },
            ok=(302,),
            on_done=saved,
        )
    raise ValueError(kind)
