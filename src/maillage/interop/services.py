"""Every write the FHIR endpoint makes, through the referrals app's services: the same
transition table, the same consent rule, the same audit rows. What arrives is validated
(structure with fhir.resources, then our rules) before anything is written; a refusal
writes nothing."""

from datetime import date, datetime

from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from maillage.core.errors import IllegalTransition
from maillage.core.models import User
from maillage.core.permissions import require
from maillage.directory import csv_io
from maillage.referrals import services as referrals
from maillage.referrals.models import (
    TRANSITIONS,
    FollowUp,
    Referral,
    RejectReason,
    Status,
    Step,
    Urgency,
)

from . import codes, directory_bundle, selectors
from .validation import InvalidResource, validate


def _input(task: dict, code: str):
    """The value of the Task.input whose type carries our code."""
    for item in task.get("input") or []:
        for coding in (item.get("type") or {}).get("coding") or []:
            if coding.get("code") == code:
                for key in ("valueCode", "valueString", "valueDate", "valueDateTime"):
                    if key in item:
                        return item[key]
    return None


def _reason(task: dict) -> tuple[str, str]:
    """(code, text) of Task.statusReason: our reject-reason code when given."""
    reason = task.get("statusReason") or {}
    code = ""
    for coding in reason.get("coding") or []:
        if coding.get("code") in RejectReason.values:
            code = coding["code"]
    text = reason.get("text") or next(
        (c.get("display", "") for c in reason.get("coding") or [] if c.get("display")), ""
    )
    return code, text or ""


def _outcome(task: dict) -> str:
    texts = [o["valueString"] for o in task.get("output") or [] if o.get("valueString")]
    texts += [n.get("text", "") for n in task.get("note") or [] if n.get("text")]
    return "\n".join(t for t in texts if t.strip())


def _when(value) -> datetime | None:
    if not value:
        return None
    moment = parse_datetime(str(value))
    if moment is None:
        raise InvalidResource(_("Task.executionPeriod.start is not a date and time."))
    return moment


def _day(value) -> date | None:
    if not value:
        return None
    day = parse_date(str(value)[:10])
    if day is None:
        raise InvalidResource(_("The expected date is not a date."))
    return day


def steps_for(current: str, target: str, *, acknowledged: bool = False) -> list[str]:
    """The steps of our transition table that take a referral from `current` to the Task
    status `target`. Accepting, declining or putting on hold a referral that was not yet
    acknowledged acknowledges it first: the profile has no `received` status to do it
    apart. Anything else the table does not allow is refused, naming both statuses."""
    if target == codes.TASK_STATUS_OF[current]:
        if current == Status.REQUESTED and acknowledged:
            return [Step.ACKNOWLEDGE]
        return []
    wanted = set(codes.REFERRAL_STATUSES_OF.get(target, []))
    direct = [step for step, after in TRANSITIONS[current].items() if after in wanted]
    if direct:
        return [direct[0]]
    if Step.ACKNOWLEDGE in TRANSITIONS[current]:
        via = TRANSITIONS[current][Step.ACKNOWLEDGE]
        then = [step for step, after in TRANSITIONS[via].items() if after in wanted]
        if then:
            return [Step.ACKNOWLEDGE, then[0]]
    raise IllegalTransition(
        _("A Task cannot go from “%(from)s” to “%(to)s”: the referral is “%(status)s”.")
        % {
            "from": codes.TASK_STATUS_OF[current],
            "to": target,
            "status": Status(current).label,
        }
    )


def _details(step: str, task: dict) -> tuple[str, dict]:
    """(note, details) that take_step needs for this step, from the Task."""
    code, text = _reason(task)
    if step == Step.ACCEPT:
        follow_up = _input(task, codes.INPUT_FOLLOW_UP) or FollowUp.HAND_OVER
        return "", {"follow_up": follow_up}
    if step == Step.REJECT:
        return "", {"reject_reason": code or RejectReason.OTHER, "reject_text": text}
    if step == Step.HOLD:
        return text, {"on_hold_until": _day(_input(task, codes.INPUT_EXPECTED_DATE))}
    if step == Step.START:
        start = _when((task.get("executionPeriod") or {}).get("start"))
        return "", {"first_contact_at": start} if start else {}
    if step == Step.COMPLETE:
        return "", {"outcome": _outcome(task)}
    if step in (Step.CANCEL, Step.FAIL):
        return text, {}
    return "", {}


def update_task(*, by: User, referral: Referral, task: dict, request=None) -> Referral:
    """A partner changes a referral's Task (PUT, or PATCH once applied): only its status
    and what goes with it (statusReason, output, input, executionPeriod) are taken; the
    referrals app's transition table decides. A status the profile does not allow is
    refused (422); a step the table does not allow too (409), naming it; several steps
    (acknowledge then accept) are one transaction."""
    validate(task)
    if task.get("resourceType") != "Task":
        raise InvalidResource(_("Expected a Task."))
    if str(task.get("id", "")) != str(referral.id):
        raise InvalidResource(_("The Task's id must be the id in the address."))
    target = task.get("status")
    if target in ("ready", "received"):
        raise InvalidResource(
            _("The referral profile does not use the Task status “%(status)s”.")
            % {"status": target},
            code="code-invalid",
        )
    if target not in codes.SETTABLE_TASK_STATUSES:
        raise InvalidResource(
            _("Task status “%(status)s” is not allowed here; allowed: %(allowed)s.")
            % {
                "status": str(target)[:40],
                "allowed": ", ".join(sorted(codes.SETTABLE_TASK_STATUSES)),
            },
            code="code-invalid",
        )
    if target in ("rejected", "cancelled", "failed") and not any(_reason(task)):
        raise InvalidResource(
            _("Task.statusReason is required when the status is “%(status)s”.")
            % {"status": target},
            code="required",
        )
    acknowledged = any(
        c.get("code") == codes.ACKNOWLEDGED
        for c in (task.get("businessStatus") or {}).get("coding") or []
    )
    steps = steps_for(referral.status, target, acknowledged=acknowledged)
    with transaction.atomic():
        for step in steps:
            note, details = _details(step, task)
            referral = referrals.take_step(
                by=by, referral=referral, step=step, note=note, request=request, **details
            )
    return referral


def _entries(bundle: dict) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType")
        method = (entry.get("request") or {}).get("method")
        if kind not in ("ServiceRequest", "Task") or kind in found or method != "POST":
            raise InvalidResource(
                _("A referral is a transaction of one ServiceRequest and one Task, each POST.")
            )
        found[kind] = entry
    if set(found) != {"ServiceRequest", "Task"}:
        raise InvalidResource(
            _("A referral is a transaction of one ServiceRequest and one Task, each POST.")
        )
    return found


def create_referral(*, by: User, bundle: dict, request=None) -> Referral:
    """A partner system refers a family: a transaction Bundle of a ServiceRequest and its
    Task. Only where the user may refer that family (a circle member) and, to send it,
    where a consent in effect covers the receiving organization; all or nothing."""
    validate(bundle)
    if bundle.get("type") != "transaction":
        raise InvalidResource(_("Send a Bundle of type “transaction”."))
    entries = _entries(bundle)
    service_request = validate(entries["ServiceRequest"]["resource"])
    task = validate(entries["Task"]["resource"])
    focus = str((task.get("focus") or {}).get("reference", ""))
    if focus and focus != entries["ServiceRequest"].get("fullUrl"):
        raise InvalidResource(_("Task.focus must reference the ServiceRequest of the Bundle."))
    if task.get("intent") != "order" or service_request.get("intent") != "order":
        raise InvalidResource(_("A referral's ServiceRequest and Task have intent “order”."))
    if task.get("status") not in ("requested", "draft"):
        raise InvalidResource(
            _("A new referral's Task is “requested” (sent) or “draft”."), code="code-invalid"
        )
    priority = service_request.get("priority", "routine")
    if priority not in Urgency.values:
        raise InvalidResource(_("ServiceRequest.priority is “routine” or “urgent”."))
    reason = " ".join(
        r.get("text", "") for r in service_request.get("reasonCode") or [] if r.get("text")
    )
    wishes = " ".join(n.get("text", "") for n in service_request.get("note") or [])
    parties = selectors.referral_parties(by, service_request, task)
    with transaction.atomic():
        return referrals.refer_family(
            by=by,
            family=parties.family,
            from_team=parties.from_team,
            to_team=parties.to_team,
            service_offer=parties.service_offer,
            reason=reason,
            family_wishes=wishes,
            urgency=priority,
            send=task.get("status") == "requested",
            request=request,
        )


def is_directory_update(bundle: dict) -> bool:
    """A transaction whose entries are all of the directory's types (the rest is read as a
    referral, and refused there if it is not one)."""
    kinds = {(e.get("resource") or {}).get("resourceType") for e in bundle.get("entry") or []}
    return bool(kinds) and kinds <= set(directory_bundle.TYPES)


def update_directory(*, by: User, bundle: dict, request=None) -> list[tuple[str, str]]:
    """A directory update as a FHIR transaction Bundle, under the CSV import's rule: only
    those who may manage the directory (coordinators, administrators); every entry read
    and every row checked first, then all written in one transaction, or nothing; audited
    as an import. A refusal names each entry at fault. Returns each entry's (status,
    location)."""
    require(by, "directory.manage_directory")
    validate(bundle)
    if bundle.get("type") != "transaction":
        raise InvalidResource(_("Send a Bundle of type “transaction”."))
    update = directory_bundle.read(bundle)
    problems = update.problems
    if not problems:
        report = csv_io.import_rows(
            by=by, source="FHIR transaction Bundle", rows=update.import_rows(), request=request
        )
        problems = [
            update.problem_of(error.row, error.column, error.reason) for error in report.errors
        ]
    if problems:
        raise InvalidResource(
            "; ".join(p.message() for p in problems[:20]),
            issues=[(p.message(), p.expression()) for p in problems[:20]],
        )
    return [
        ("201 Created" if entry.method == "POST" else "200 OK", location)
        for entry, location in directory_bundle.created_or_changed(update)
    ]
