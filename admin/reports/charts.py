"""Report charts as server-side SVG: the campaigns' horizontal bar chart (imported, not copied),
plus grouped columns over months and stacked bars with a legend, in the same look."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from opportunities.campaigns.charts import PALETTE, Bar, bar_chart

__all__ = ["PALETTE", "Bar", "Segment", "Series", "bar_chart", "column_chart", "compact", "stacked_bar_chart"]
HALF = 560  # the viewBox width of a chart in a half-width card: its text stays readable

Number = Decimal | int | float


@dataclass(frozen=True)
class Series:
    """One coloured series of a column chart: a value (and its text) per category."""

    name: str
    values: Sequence[Number]
    displays: Sequence[str]
    colour: str | None = None


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar, with the legend entry it belongs to."""

    key: str
    label: str
    colour: str


def _svg_open(width: int, height: int, title: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>']


def _legend(items: Sequence[tuple[str, str]], x: int, y: int) -> str:
    parts, offset = [], x
    for label, colour in items:
        parts.append(f'<rect x="{offset}" y="{y - 10}" width="12" height="12" rx="2" fill="{colour}"/>'
                     f'<text x="{offset + 17}" y="{y}" font-size="12" fill="#212529">{escape(label)}</text>')
        offset += 30 + 7 * len(label)
    return "".join(parts)


def column_chart(categories: Sequence[str], series: Sequence[Series], *, title: str, width: int = 720,
                 height: int = 260, axis: Callable[[Decimal], str] | None = None) -> Markup:
    """Vertical columns per category (e.g. months), one column per series side by side, scaled to
    the largest value, with the value of the top and middle grid lines (written by `axis`);
    every column carries its value in a tooltip."""
    left, right, top, bottom = 64, 10, 28, 42
    colours = [s.colour or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    parts = _svg_open(width, height, title)
    largest = max((Decimal(str(v)) for s in series for v in s.values), default=Decimal(0))
    if not categories or not series or largest <= 0:
        parts.append('<text x="10" y="25" font-size="13" fill="#6c757d">Nothing to show for these filters.</text></svg>')
        return Markup("".join(parts))
    if len(series) > 1:
        parts.append(_legend([(s.name, c) for s, c in zip(series, colours)], left, 14))
    plot_h = height - top - bottom
    slot = (width - left - right) / len(categories)
    column = max(min(slot * 0.8 / len(series), 40), 1.5)
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#adb5bd"/>')
    for share in (Decimal(1), Decimal("0.5")):
        y = top + plot_h - float(plot_h * share)
        label = (axis or _plain)(largest * share)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e9ecef"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
                     f'fill="#6c757d">{escape(label)}</text>')
    every = max(1, math.ceil(len(categories) * 58 / (width - left - right)))  # labels ~58 px apart
    for i, category in enumerate(categories):
        x0 = left + i * slot + (slot - column * len(series)) / 2
        for j, s in enumerate(series):
            value = Decimal(str(s.values[i]))
            h = 0 if value <= 0 else max(float(plot_h * value / largest), 1.0)
            parts.append(f'<rect x="{x0 + j * column:.1f}" y="{top + plot_h - h:.1f}" width="{column - 1:.1f}" '
                         f'height="{h:.1f}" fill="{colours[j]}" rx="2"><title>{escape(category)} · '
                         f'{escape(s.name)}: {escape(s.displays[i])}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{left + i * slot + slot / 2:.1f}" y="{top + plot_h + 16}" font-size="11" '
                         f'text-anchor="middle" fill="#495057">{escape(category)}</text>')
    peak = max(range(len(categories)), key=lambda i: max(Decimal(str(s.values[i])) for s in series))
    peak_series = max(range(len(series)), key=lambda j: Decimal(str(series[j].values[peak])))
    parts.append(f'<text x="{width - right}" y="{top + plot_h + 34}" font-size="11" text-anchor="end" '
                 f'fill="#6c757d">Highest: {escape(categories[peak])}, {escape(series[peak_series].name)} '
                 f'{escape(series[peak_series].displays[peak])}</text></svg>')
    return Markup("".join(parts))


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


def _plain(value: Decimal) -> str:
    return compact(value)


def compact(value: Decimal | int | float, unit: str = "") -> str:
    """A short axis label: 950, 12.5k, 3.2M (with a unit after it, e.g. "h")."""
    number = Decimal(str(value))
    for size, suffix in ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "M"), (Decimal(1000), "k")):
        if abs(number) >= size:
            text = f"{number / size:.1f}".removesuffix(".0") + suffix
            break
    else:
        text = f"{number:.0f}" if abs(number) >= 10 else f"{number:.1f}".removesuffix(".0")
    return f"{text} {unit}" if unit else text


def stacked_bar_chart(rows: Sequence[tuple[str, Sequence[tuple[str, Number]]]], segments: Sequence[Segment], *,
                      title: str, width: int = 720, label_width: int = 170) -> Markup:
    """Horizontal bars made of coloured segments (e.g. a partner's registrations by status), with
    a legend and each bar's total written at its end."""
    row, gap, top = 24, 8, 30
    height = top + len(rows) * (row + gap) + 8
    parts = _svg_open(width, max(height, 60), title)
    totals = [sum(Decimal(str(v)) for _, v in values) for _, values in rows]
    largest = max(totals, default=Decimal(0))
    if not rows or largest <= 0:
        parts.append('<text x="10" y="25" font-size="13" fill="#6c757d">Nothing to show for these filters.</text></svg>')
        return Markup("".join(parts))
    by_key = {s.key: s for s in segments}
    parts.append(_legend([(s.label, s.colour) for s in segments], 10, 16))
    span = width - label_width - 60
    for i, ((label, values), total) in enumerate(zip(rows, totals)):
        y = top + i * (row + gap)
        parts.append(f'<text x="{label_width - 8}" y="{y + row / 2 + 4}" text-anchor="end" font-size="12" '
                     f'fill="#212529">{escape(_cut(label, label_width // 7))}</text>')
        x = float(label_width)
        for key, value in values:
            w = float(span * Decimal(str(value)) / largest)
            if w <= 0:
                continue
            seg = by_key[key]
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row}" fill="{seg.colour}">'
                         f'<title>{escape(label)} · {escape(seg.label)}: {value}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + row / 2 + 4}" font-size="12" font-weight="600" '
                     f'fill="#212529">{total}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
