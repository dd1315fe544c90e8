"""The inbox's table rows as HTML, joined here rather than in a template loop.

A page holds up to 25 referrals, and the template engine spent 0.13 ms on each row (its
tags, lookups and translations): 3.3 ms of a region's inbox, against 1.3 for a demo team's
nine (BENCHMARKS.md, twelfth round). Every value is escaped by format_html; the texts are
the template's own messages, translated the same way."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Urgency


def rows_html(rows) -> SafeString:
    """One <tr> per InboxRow: family and reference, to, from, urgency, status, age."""
    # The detail page's address is the same but for the id: resolved once per page.
    marker = "00000000-0000-0000-0000-000000000000"
    detail = reverse("referrals:detail", args=[marker])
    return format_html_join("\n", "{}", ((_row(row, detail, marker),) for row in rows))


def _row(row, detail: str, marker: str) -> SafeString:
    r = row.referral
    overdue = row.overdue
    urgency = r.get_urgency_display()
    age = ngettext("%(days)s working day", "%(days)s working days", row.age_days) % {
        "days": row.age_days
    }
    return format_html(
        "<tr{}>"
        '<td><a href="{}">{}</a><br><span class="meta">{}</span></td>'
        "<td>{}{}</td>"
        '<td>{}<br><span class="meta">{}</span></td>'
        "<td>{}</td><td>{}</td><td>{}{}</td>"
        "</tr>",
        SafeString(' class="overdue-row"') if overdue else "",
        detail.replace(marker, str(r.id)),
        r.family_label,
        _("Referral %(ref)s") % {"ref": r.reference},
        r.to_team.name,
        format_html('<br><span class="meta">{}</span>', r.service_offer.name)
        if r.service_offer
        else "",
        r.from_team.name,
        r.from_team.organization.name,
        format_html("<strong>{}</strong>", urgency) if r.urgency == Urgency.URGENT else urgency,
        r.get_status_display(),
        age,
        format_html(
            ' — <strong class="overdue">{}</strong>',
            _("overdue (target %(target)s)") % {"target": row.target_days},
        )
        if overdue
        else "",
    )
