"""The one check of a state machine's transition table.

A table maps each status to the set of statuses it may become, its keys being the members of
a TextChoices (`MeetingStatus.SCHEDULED: {MeetingStatus.HELD, ...}`): the reason given for a
refusal names both statuses by their translated labels.
"""

from collections.abc import Collection, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from .errors import IllegalTransition


def _label(choices: type[models.Choices] | None, value: str) -> str:
    if choices is not None:
        try:
            return str(choices(value).label)
        except ValueError:
            pass
    return str(value)


# Any: the keys are each table's own TextChoices, and Mapping is invariant in its keys.
def check_transition(table: Mapping[Any, Collection[Any]], current: str, target: str) -> None:
    """Raises IllegalTransition, with the reason, unless `current` may become `target`."""
    if target in table.get(current, ()):
        return
    first = next(iter(table), None)
    choices = type(first) if isinstance(first, models.Choices) else None
    raise IllegalTransition(
        _("Cannot go from “%(current)s” to “%(target)s”.")
        % {"current": _label(choices, current), "target": _label(choices, target)}
    )
