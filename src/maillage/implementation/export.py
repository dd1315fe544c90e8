"""The dashboard as CSV: one row per figure, aggregates only. Every cell that a spreadsheet
would read as a formula is neutralized, and the response says its charset."""

import csv
import io

from django.utils.translation import gettext as _

from .charts import quarter_label
from .models import Domain, ExitReason, FactorCategory, Polarity
from .selectors import Dashboard

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def dashboard_csv(board: Dashboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)

    def row(*cells):
        writer.writerow([neutralize(c) for c in cells])

    row(_("figure"), _("group"), _("value"), _("numerator"), _("denominator"))
    for name, ratio in (
        (_("Reach"), board.reach),
        (_("Completion"), board.completion),
        (_("No-shows"), board.no_shows),
        (_("Sessions rated for fidelity"), board.share_rated),
    ):
        row(name, "", _number(ratio.value), ratio.numerator, ratio.denominator)
    row(
        _("Days from referral to first session (median)"),
        "",
        _number(board.days_to_first.median),
        "",
        "",
    )
    row(_("Sessions per family (median)"), "", _number(board.per_family.median), "", "")
    for label, count in board.distribution:
        row(_("Families by sessions received"), label, count, "", "")
    for reason, count in sorted(board.exit_reasons.items()):
        row(_("Exit reasons"), ExitReason(reason).label, count, "", "")
    names = {s.id: s.team.name for s in board.sites}
    for site_id, mean in board.fidelity_by_site.items():
        row(_("Mean fidelity by site"), names.get(site_id, ""), _number(mean), "", "")
    for quarter, mean, n in board.fidelity_trend:
        row(_("Mean fidelity by quarter"), quarter_label(quarter), _number(mean), n, "")
    for site_id, count in board.capacity.now.items():
        row(_("Trained practitioners in the team today"), names.get(site_id, ""), count, "", "")
    for (year, domain), m in board.sustainability.items():
        row(
            _("Sustainability %(year)s") % {"year": year},
            Domain(domain).label,
            _number(m.mean),
            _number(m.low),
            _number(m.high),
        )
    for (category, polarity), count in sorted(board.register["category"].items()):
        row(
            _("Register entries"),
            f"{FactorCategory(category).label} — {Polarity(polarity).label}",
            count,
            "",
            "",
        )
    return out.getvalue()
