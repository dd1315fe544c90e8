"""The iCalendar invitation (.ics) of a meeting, for any calendar program.

The invitation names the group, the time and the venue, and outlines the agenda by its five
parts only: an .ics travels to outside calendar services, so no situation (not even a
de-identified title) goes into it.
"""

from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar, Event, vCalAddress, vText

from .agenda import Agenda
from .models import GroupMembership, GroupRole, MeetingStatus


def _address(membership: GroupMembership, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{membership.user.email}")
    address.params["cn"] = vText(membership.user.full_name or membership.user.email)
    address.params["role"] = vText(role)
    return address


def outline(agenda: Agenda) -> str:
    presented = len(agenda.new_situations)
    return "\n".join(
        [
            _("1. Greeting"),
            ngettext(
                "2. What became of the situation of the previous meeting (%(count)s)",
                "2. What became of the situations of the previous meeting (%(count)s)",
                len(agenda.follow_ups),
            )
            % {"count": len(agenda.follow_ups)},
            ngettext("3. New situation (%(count)s)", "3. New situations (%(count)s)", presented)
            % {"count": presented},
            _("4. Optional slots: a situation that went well, a clinical case, a short training"),
            _("5. Round table on how the meeting went"),
        ]
    )


def meeting_invitation(agenda: Agenda, *, members: list[GroupMembership], url: str = "") -> bytes:
    meeting = agenda.meeting
    calendar = Calendar()
    calendar.add("prodid", "-//Maillage//Cooperation reviews//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{meeting.pk}@maillage")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    # A calendar replaces an invitation by one with the same UID and a higher SEQUENCE.
    event.add("sequence", meeting.sequence)
    event.add("summary", _("Cooperation review — %(group)s") % {"group": meeting.group.name})
    location = ", ".join(
        part for part in (meeting.host.name, meeting.host.address, meeting.venue_details) if part
    )
    event.add("location", location)
    description = outline(agenda)
    if url:
        description += "\n\n" + url
        event.add("url", url)
    event.add("description", description)
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    for membership in members:
        if membership.role == GroupRole.MODERATOR:
            event.add("organizer", _address(membership, "CHAIR"), encode=0)
        else:
            event.add("attendee", _address(membership, "REQ-PARTICIPANT"), encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
