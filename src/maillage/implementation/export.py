"""The dashboard as CSV: one row per figure, aggregates only, written through the one CSV
writer of the product (core.csv_export: formula cells neutralized, UTF-8 with a BOM)."""

from django.utils.translation import gettext as _

from maillage.core import csv_export

from .charts import quarter_label
from .models import Domain, ExitReason, FactorCategory, Polarity
from .selectors import Dashboard


def _number(value) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def dashboard_csv(board: Dashboard) -> str:
    rows: list[tuple] = []

    def row(*cells):
        rows.append(tuple("" if c is None else c for c in cells))

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
    for site_id, gone in board.capacity.lost.items():
        row(
            _("Capacity lost (trained practitioners who left)"),
            names.get(site_id, ""),
            len(gone),
            "",
            "",
        )
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
    return csv_export.to_text(rows)
