"""Charts of programmes in practice, drawn as inline SVG by the app (as training's are): a
title and a description in words on each, values printed next to their marks, nothing told
by colour alone. The page shows the same figures in a table too."""

from datetime import date
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from maillage.training.charts import ACCENT, FONT, INK, LINE, MUTED, _n, _open


def quarter_label(quarter: tuple[int, int]) -> str:
    year, number = quarter
    return _("%(year)s Q%(quarter)s") % {"year": year, "quarter": number}


def stage_timeline(stages, *, today: date, chart_id: str = "stages") -> str:
    """One bar per stage from its start to its end (to today while under way)."""
    started = [s for s in stages if s.started_on is not None]
    if not started:
        return ""
    first = min(s.started_on for s in started)
    last = max([today, *(s.finished_on or today for s in started)])
    span = max((last - first).days, 1)
    width, x0, x1, row_h, top = 800, 300, 740, 26, 30
    height = top + row_h * len(stages) + 30

    def x(day: date) -> float:
        return x0 + (day - first).days / span * (x1 - x0)

    desc = "; ".join(
        f"{s.label}: "
        + (
            _("%(days)s days, %(done)s of %(planned)s activities done")
            % {"days": s.days, "done": s.done, "planned": s.planned}
            if s.started_on
            else _("not started")
        )
        for s in stages
    )
    out = _open(chart_id, width, height, _("Implementation stages of the site"), desc)
    for k, s in enumerate(stages):
        y = top + k * row_h
        out.append(
            f'<text x="8" y="{y + 17}" font-size="13" fill="{INK}" {FONT}>{escape(s.label)}</text>'
        )
        out.append(f'<line x1="{x0}" y1="{y + row_h}" x2="{x1}" y2="{y + row_h}" stroke="{LINE}"/>')
        if s.started_on is None:
            continue
        end = s.finished_on or today
        bx, bw = x(s.started_on), max(x(end) - x(s.started_on), 3)
        dash = "" if s.finished_on else ' stroke-dasharray="4 2"'
        out.append(
            f'<rect x="{bx:.1f}" y="{y + 5}" width="{bw:.1f}" height="{row_h - 10}" '
            f'fill="{ACCENT}" stroke="{INK}"{dash}/>'
        )
        label = _("%(days)s d") % {"days": s.days}
        out.append(
            f'<text x="{min(bx + bw + 4, x1 + 4):.1f}" y="{y + 17}" font-size="12" '
            f'fill="{MUTED}" {FONT}>{escape(label)}</text>'
        )
    out.append(
        f'<text x="{x0}" y="{height - 8}" font-size="12" fill="{MUTED}" {FONT}>'
        f"{escape(first.isoformat())}</text>"
    )
    out.append(
        f'<text x="{x1}" y="{height - 8}" text-anchor="end" font-size="12" fill="{MUTED}" '
        f"{FONT}>{escape(last.isoformat())}</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(rows: list[tuple[str, float]], *, title: str, chart_id: str, places: int = 0) -> str:
    """Vertical bars, each labelled under it and carrying its value above it."""
    if not rows or not any(v for _label, v in rows):
        return ""  # the page says there is nothing yet, in words
    width = max(360, 60 + 56 * len(rows))
    height, base, top = 240, 190, 30
    peak = max((v for _label, v in rows), default=0) or 1
    # Each value formatted once, for the description and the label (a region's programme
    # draws a bar per site: dozens).
    shown = [_n(value, places) for _label, value in rows]
    desc = "; ".join(f"{label}: {text}" for (label, _value), text in zip(rows, shown, strict=True))
    out = _open(chart_id, width, height, title, desc)
    out.append(f'<line x1="20" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{INK}"/>')
    for k, (label, value) in enumerate(rows):
        bx = 30 + k * 56
        bh = (base - top) * value / peak
        out.append(
            f'<rect x="{bx}" y="{base - bh:.1f}" width="40" height="{bh:.1f}" fill="{ACCENT}" '
            f'stroke="{INK}"/>'
        )
        out.append(
            f'<text x="{bx + 20}" y="{base - bh - 5:.1f}" text-anchor="middle" font-size="12" '
            f'fill="{INK}" {FONT}>{escape(shown[k])}</text>'
        )
        out.append(
            f'<text x="{bx + 20}" y="{base + 16}" text-anchor="middle" font-size="11" '
            f'fill="{INK}" {FONT}>{escape(str(label)[:9])}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def interval_chart(rows, *, title: str, low: float, high: float, chart_id: str) -> str:
    """Per row (label, MeanInterval): the mean (dot) and its 95 % interval (line)."""
    shown = [(label, m) for label, m in rows if m.mean is not None]
    if not shown:
        return ""
    width, x0, x1, row_h, top = 760, 300, 600, 24, 20
    height = top + row_h * len(shown) + 30

    def x(value: float) -> float:
        value = max(low, min(high, value))
        return x0 + (value - low) / (high - low) * (x1 - x0)

    desc = "; ".join(
        f"{label}: {_n(m.mean)}"
        + (f" [{_n(m.low)}; {_n(m.high)}]" if m.low is not None else "")
        + f" (n = {m.n})"
        for label, m in shown
    )
    out = _open(chart_id, width, height, title, desc)
    for k, (label, m) in enumerate(shown):
        y = top + k * row_h + row_h / 2
        out.append(
            f'<text x="8" y="{y + 4:.1f}" font-size="12" fill="{INK}" {FONT}>'
            f"{escape(str(label)[:40])}</text>"
        )
        if m.low is not None and m.high is not None:
            out.append(
                f'<line x1="{x(m.low):.1f}" y1="{y:.1f}" x2="{x(m.high):.1f}" y2="{y:.1f}" '
                f'stroke="{INK}" stroke-width="2"/>'
            )
        out.append(
            f'<circle cx="{x(m.mean):.1f}" cy="{y:.1f}" r="5" fill="{ACCENT}" stroke="{INK}"/>'
        )
        text = _n(m.mean) + (f" [{_n(m.low)}; {_n(m.high)}]" if m.low is not None else "")
        out.append(
            f'<text x="{x1 + 12}" y="{y + 4:.1f}" font-size="12" fill="{INK}" {FONT}>'
            f"{escape(text)}</text>"
        )
    bottom = top + row_h * len(shown)
    out.append(f'<line x1="{x0}" y1="{bottom}" x2="{x1}" y2="{bottom}" stroke="{INK}"/>')
    for tick in range(int(low), int(high) + 1):
        out.append(
            f'<text x="{x(tick):.1f}" y="{bottom + 16}" text-anchor="middle" font-size="12" '
            f'fill="{INK}" {FONT}>{tick}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
