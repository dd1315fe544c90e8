"""What a person reads of an audit event: translated terms, never a code.

An event stores codes (the parts of a family that were read, why, what changed, the kind
of object): stable for queries and for the family's access report, but not words. Each
domain app registers the words for its codes when it is ready (the audit app depends on
no domain app); what no app registered reads as a neutral term, never as the raw code.
"""

from django.apps import apps
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

_PARTS: dict[str, object] = {}
_PURPOSES: dict[str, object] = {}
_CHANGES: dict[str, object] = {}
_RECORDS: dict[str, object] = {}  # details["what"] (a model's name) and object types

_RECORDS.update(
    {
        "otp_totp.totpdevice": _("authenticator app"),
        "core.user": _("account"),
        "core.apitoken": _("API token"),
    }
)


def register(*, parts=None, purposes=None, changes=None, records=None) -> None:
    """Called from an app's ready(): {code: lazy translated label}."""
    _PARTS.update(parts or {})
    _PURPOSES.update(purposes or {})
    _CHANGES.update(changes or {})
    _RECORDS.update(records or {})


def part_label(code: str):
    return _PARTS.get(code, _("other information"))


def parts_label(codes) -> str:
    return ", ".join(str(part_label(code)) for code in codes or [])


def record_label(code: str):
    """A kind of record, from an object type ("families.family") or a model name."""
    if code in _RECORDS:
        return _RECORDS[code]
    if "." in code:
        try:
            return apps.get_model(code)._meta.verbose_name
        except (LookupError, ValueError):
            pass
    return _("other record")


def purpose_label(purpose: str):
    """A purpose the code wrote (a registered code) in words; what a person typed (a
    break-glass reason) as they typed it."""
    if purpose in _PURPOSES:
        return _PURPOSES[purpose]
    return purpose


def change_label(details: dict):
    """What an update or creation did, in words ("consent withdrawn", "became the lead
    worker"), or the kind of record it touched."""
    change = details.get("change") or (f"step:{details['step']}" if details.get("step") else "")
    if change:
        return _CHANGES.get(change, _("changed"))
    what = details.get("what")
    if what:
        return record_label(what)
    return ""


def event_summary(event) -> str:
    """One line for a person: the action and what it concerned, in the reader's language."""
    parts = (event.details or {}).get("parts")
    if event.object_ids is not None:
        # A list's reading: what it showed of any record, and of how many.
        shown: list[str] = []
        for run in event.details.get("each", []):
            shown += [p for p in run.get("parts", []) if p not in shown]
        count = len(event.object_ids)
        return str(
            format_lazy(
                _("{action}: {parts} ({records})"),
                action=event.get_action_display(),
                parts=parts_label(shown),
                records=ngettext("%(n)d record listed", "%(n)d records listed", count)
                % {"n": count},
            )
        )
    if parts:
        return str(
            format_lazy(
                _("{action}: {parts}"), action=event.get_action_display(), parts=parts_label(parts)
            )
        )
    change = change_label(event.details or {})
    if change:
        return str(
            format_lazy(_("{action}: {change}"), action=event.get_action_display(), change=change)
        )
    return str(event.get_action_display())


def listed_references(event) -> str:
    """The records a list's reading showed, by their neutral reference (the first eight
    characters of the id, as families are named where names may not be shown)."""
    return ", ".join(str(pk)[:8].upper() for pk in event.object_ids or [])
