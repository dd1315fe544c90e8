"""The charts of a programme's effects, drawn as SVG by the app (no chart library, no
external service). Each chart is inline markup with presentation attributes only, so the
strict content security policy holds; each carries its own title and description, and the
page shows the same figures in a table next to it.

Nothing is told by colour alone: bars are labelled "before"/"after" under them and carry
their value above them; the change chart prints each mean and interval in words.
"""

import textwrap
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from .indicators import GroupRates, ItemChange

INK, MUTED, LINE, ACCENT, SOFT = "#1b1f24", "#4a5562", "#c9d1da", "#0b5a8a", "#8fa3b5"
FONT = 'font-family="sans-serif"'


def _n(value: float, places: int = 2) -> str:
    # Rounded half up, as the page's tables round (number_format would cut the digits).
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(rounded, decimal_pos=places, force_grouping=False)


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + _n(value)


def _tick(value: float) -> str:
    if not value:
        return "0"
    return ("+" if value > 0 else "") + _n(value, 0 if value == int(value) else 1)


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def change_chart(rows: list[ItemChange], *, chart_id: str = "change-chart") -> str:
    """A forest plot: per statement, the mean change (dot) and its 95 % interval (line), on
    a scale centred on no change. Statements below the respondent threshold are left out."""
    shown = [r for r in rows if r.shown and r.change is not None]
    if not shown:
        return ""
    extent = max(
        [1.0] + [abs(v) for r in shown for v in (r.change, r.low, r.high) if v is not None]
    )
    extent = min(4.0, (int(extent * 2) + 1) / 2)  # next half point, at most the full scale
    width, plot_x0, plot_x1 = 760, 320, 600
    top, line_h = 36, 16

    def x(value: float) -> float:
        # An interval wider than the scale is cut at its edge (its figures are printed).
        value = max(-extent, min(extent, value))
        return plot_x0 + (value + extent) / (2 * extent) * (plot_x1 - plot_x0)

    wrapped = [textwrap.wrap(r.label, 44)[:3] or [""] for r in shown]
    heights = [max(len(lines), 1) * line_h + 18 for lines in wrapped]
    height = top + sum(heights) + 44
    desc = "; ".join(
        f"{r.label}: {_signed(r.change)}"
        + (f" [{_n(r.low)}; {_n(r.high)}]" if r.low is not None and r.high is not None else "")
        + f" (n = {r.respondents})"
        for r in shown
        if r.change is not None
    )
    out = _open(
        chart_id,
        width,
        height,
        _("Change in self-assessments after the immersion (mean and 95 % interval)"),
        desc,
    )
    # Translated outside the f-strings: xgettext does not see a call inside an f-string, and
    # the labels stayed in English on French pages.
    axis_label = escape(pgettext("difference", "Change, after − before (points)"))
    # xgettext:no-python-format
    mean_label = escape(_("Mean [95 % interval]"))
    out.append(
        f'<text x="{plot_x0 + (plot_x1 - plot_x0) / 2:.0f}" y="20" text-anchor="middle" '
        f'font-size="13" fill="{MUTED}" {FONT}>{axis_label}</text>'
    )
    out.append(
        f'<text x="{plot_x1 + 12}" y="20" font-size="13" fill="{MUTED}" {FONT}>{mean_label}</text>'
    )
    zero = x(0.0)
    bottom = top + sum(heights)
    out.append(
        f'<line x1="{zero:.1f}" y1="{top - 6}" x2="{zero:.1f}" y2="{bottom}" stroke="{MUTED}" '
        'stroke-dasharray="4 3"/>'
    )
    y = top
    for row, lines, h in zip(shown, wrapped, heights, strict=True):
        mid = y + h / 2
        for k, text in enumerate(lines):
            ty = mid - (len(lines) - 1) * line_h / 2 + k * line_h + 4
            weight = ' font-weight="700"' if row.item is None else ""
            out.append(
                f'<text x="8" y="{ty:.1f}" font-size="13" fill="{INK}"{weight} {FONT}>'
                f"{escape(text)}</text>"
            )
        if row.low is not None and row.high is not None:
            x_low, x_high = x(row.low), x(row.high)
            out.append(
                f'<line x1="{x_low:.1f}" y1="{mid:.1f}" x2="{x_high:.1f}" y2="{mid:.1f}" '
                f'stroke="{INK}" stroke-width="2"/>'
            )
            for edge in (x_low, x_high):
                out.append(
                    f'<line x1="{edge:.1f}" y1="{mid - 6:.1f}" x2="{edge:.1f}" '
                    f'y2="{mid + 6:.1f}" stroke="{INK}" stroke-width="2"/>'
                )
        out.append(
            f'<circle cx="{x(row.change):.1f}" cy="{mid:.1f}" r="{7 if row.item is None else 5}" '
            f'fill="{ACCENT}" stroke="{INK}"/>'
        )
        interval = (
            f" [{_n(row.low)}; {_n(row.high)}]"
            if row.low is not None and row.high is not None
            else ""
        )
        out.append(
            f'<text x="{plot_x1 + 12}" y="{mid + 4:.1f}" font-size="13" fill="{INK}" {FONT}>'
            f"{escape(_signed(row.change) + interval)}</text>"
        )
        out.append(
            f'<line x1="8" y1="{y + h:.1f}" x2="{width - 8}" y2="{y + h:.1f}" stroke="{LINE}"/>'
        )
        y += h
    steps = int(extent * 2)
    for k in range(-steps, steps + 1):
        value = k / 2
        if steps > 4 and k % 2:
            continue
        tx = x(value)
        out.append(
            f'<line x1="{tx:.1f}" y1="{bottom}" x2="{tx:.1f}" y2="{bottom + 5}" stroke="{INK}"/>'
        )
        out.append(
            f'<text x="{tx:.1f}" y="{bottom + 19}" text-anchor="middle" font-size="12" '
            f'fill="{INK}" {FONT}>{escape(_tick(value))}</text>'
        )
    out.append(f'<line x1="{plot_x0}" y1="{bottom}" x2="{plot_x1}" y2="{bottom}" stroke="{INK}"/>')
    out.append("</svg>")
    return "\n".join(out)


def rates_chart(groups: list[GroupRates], *, chart_id: str) -> str:
    """Grouped bars for one measure: trained and untrained pairs, before and after."""
    if not groups or not any(g.before is not None for g in groups):
        return ""  # the page says there is no data, in words
    width, height, base, top = 560, 290, 220, 40
    values = [v for g in groups for v in (g.before, g.after) if v is not None]
    peak = max(values, default=0.0) or 1.0
    bar_w, gap, group_w = 70, 16, 240
    title = groups[0].measure_label
    desc = "; ".join(
        f"{g.label}: "
        + (
            ngettext(
                "before %(before)s, after %(after)s, %(count)s pair",
                "before %(before)s, after %(after)s, %(count)s pairs",
                g.pairs_with_data,
            )
            % {"before": _n(g.before), "after": _n(g.after), "count": g.pairs_with_data}
            if g.before is not None and g.after is not None
            else _("no data")
        )
        for g in groups
    )
    out = _open(chart_id, width, height, title, desc)
    out.append(f'<line x1="20" y1="{base}" x2="{width - 20}" y2="{base}" stroke="{INK}"/>')
    for index, group in enumerate(groups):
        gx = 40 + index * (group_w + 20)
        centre = gx + group_w / 2
        out.append(
            f'<text x="{centre:.0f}" y="{base + 44}" text-anchor="middle" font-size="13" '
            f'font-weight="700" fill="{INK}" {FONT}>{escape(_group_short(group.group))}</text>'
        )
        out.append(
            f'<text x="{centre:.0f}" y="{base + 62}" text-anchor="middle" font-size="12" '
            f'fill="{MUTED}" {FONT}>'
            + escape(
                ngettext(
                    "%(count)s pair with data", "%(count)s pairs with data", group.pairs_with_data
                )
                % {"count": group.pairs_with_data}
            )
            + "</text>"
        )
        if group.before is None or group.after is None:
            out.append(
                f'<text x="{centre:.0f}" y="{base - 60}" text-anchor="middle" font-size="14" '
                f'fill="{MUTED}" {FONT}>{escape(_("No data"))}</text>'
            )
            continue
        for k, (label, value, colour) in enumerate(
            [(_("Before"), group.before, SOFT), (_("After"), group.after, ACCENT)]
        ):
            bx = centre - bar_w - gap / 2 + k * (bar_w + gap)
            bar_h = (base - top) * value / peak
            out.append(
                f'<rect x="{bx:.1f}" y="{base - bar_h:.1f}" width="{bar_w}" '
                f'height="{bar_h:.1f}" fill="{colour}" stroke="{INK}"/>'
            )
            out.append(
                f'<text x="{bx + bar_w / 2:.1f}" y="{base - bar_h - 6:.1f}" text-anchor="middle" '
                f'font-size="13" fill="{INK}" {FONT}>{escape(_n(value))}</text>'
            )
            out.append(
                f'<text x="{bx + bar_w / 2:.1f}" y="{base + 18}" text-anchor="middle" '
                f'font-size="13" fill="{INK}" {FONT}>{escape(label)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)


def _group_short(group: str) -> str:
    return {"trained": _("Trained together"), "untrained": _("Not trained together")}[group]
