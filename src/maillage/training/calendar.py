"""The iCalendar invitation (.ics) of an immersion session, for any calendar program.

It carries what a visitor needs on the day: where, when, the host team, the topics, what the
host will show and the agenda. Participants are listed only once the host has confirmed them;
nothing about families goes into it.
"""

from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from .models import ImmersionSession, SessionStatus, SignUp


def _address(email: str, name: str, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name or email)
    address.params["role"] = vText(role)
    return address


def description(session: ImmersionSession, topics: list[str], url: str = "") -> str:
    parts = [
        _("Immersion with %(team)s (%(organization)s).")
        % {"team": session.host_team.name, "organization": session.host_team.organization.name}
    ]
    if topics:
        parts.append(_("Topics:") + "\n" + "\n".join(f"- {t}" for t in topics))
    shown = session.host_activity_labels
    if shown or session.host_activities_details:
        lines = [f"- {label}" for label in shown]
        if session.host_activities_details:
            lines.append(session.host_activities_details)
        parts.append(_("What the host shows:") + "\n" + "\n".join(lines))
    if session.agenda:
        parts.append(_("Agenda:") + "\n" + session.agenda)
    if url:
        parts.append(url)
    return "\n\n".join(parts)


def session_invitation(
    session: ImmersionSession, *, confirmed: list[SignUp], url: str = ""
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Maillage//Cross-training//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{session.pk}@maillage.training")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("sequence", session.sequence)
    event.add(
        "summary",
        _("Immersion at %(team)s — %(programme)s")
        % {"team": session.host_team.name, "programme": session.programme.name},
    )
    if session.location:
        event.add("location", session.location)
    topics = [topic.name for topic in session.topics.all()]
    event.add("description", description(session, topics, url))
    if topics:
        event.add("categories", topics)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
    if session.host_team.email:
        event.add(
            "organizer",
            _address(session.host_team.email, session.host_team.name, "CHAIR"),
            encode=0,
        )
    for sign_up in confirmed:
        person = sign_up.practitioner
        event.add("attendee", _address(person.email, str(person), "REQ-PARTICIPANT"), encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
