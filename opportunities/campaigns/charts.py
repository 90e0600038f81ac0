"""Server-side SVG charts (no JavaScript, no CDN): horizontal bars with their values written out."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

PALETTE = ("#0d6efd", "#6f42c1", "#198754", "#fd7e14", "#20c997", "#d63384", "#6c757d")


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    display: str
    colour: str | None = None


def bar_chart(bars: Sequence[Bar], *, title: str, width: int = 640, label_width: int = 150) -> Markup:
    """A horizontal bar chart as inline SVG, scaled to the largest value, accessible by its title."""
    row, gap, top = 30, 10, 8
    height = top * 2 + len(bars) * (row + gap) - (gap if bars else 0)
    value_width = 130
    span = max(width - label_width - value_width, 10)
    largest = max((Decimal(b.value) for b in bars), default=Decimal(0))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {max(height, 40)}" '
             f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
             f"<title>{escape(title)}</title>"]
    if not bars:
        parts.append('<text x="10" y="25" font-size="13" fill="#6c757d">Nothing to show yet.</text>')
    for i, bar in enumerate(bars):
        y = top + i * (row + gap)
        size = 0 if largest <= 0 else int(span * Decimal(bar.value) / largest)
        colour = bar.colour or PALETTE[i % len(PALETTE)]
        parts.append(
            f'<g><text x="{label_width - 8}" y="{y + row / 2 + 5}" text-anchor="end" font-size="13" '
            f'fill="#212529">{escape(bar.label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{span}" height="{row}" fill="#f1f3f5" rx="3"/>'
            f'<rect x="{label_width}" y="{y}" width="{max(size, 0)}" height="{row}" fill="{colour}" rx="3">'
            f"<title>{escape(bar.label)}: {escape(bar.display)}</title></rect>"
            f'<text x="{label_width + span + 8}" y="{y + row / 2 + 5}" font-size="13" font-weight="600" '
            f'fill="#212529">{escape(bar.display)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Group:
    """One label with several bars (one per series, in the order of the legend)."""

    label: str
    bars: tuple[Bar, ...]


def grouped_bar_chart(groups: Sequence[Group], legend: Sequence[tuple[str, str]], *, title: str,
                      width: int = 640, label_width: int = 150) -> Markup:
    """Horizontal bars grouped by label (e.g. pipeline and won revenue per partner), one scale for all,
    with a legend of (series name, colour) on top."""
    series, bar_h, gap, top = max(len(legend), 1), 14, 12, 30
    group_h = series * bar_h + (series - 1) * 2
    height = top + len(groups) * (group_h + gap) + 8
    value_width = 130
    span = max(width - label_width - value_width, 10)
    largest = max((Decimal(b.value) for g in groups for b in g.bars), default=Decimal(0))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {max(height, 50)}" '
             f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
             f"<title>{escape(title)}</title>"]
    x = label_width
    for name, colour in legend:
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}" rx="2"/>'
                     f'<text x="{x + 17}" y="16" font-size="12" fill="#212529">{escape(name)}</text>')
        x += 30 + 8 * len(name)
    if not groups:
        parts.append(f'<text x="10" y="{top + 18}" font-size="13" fill="#6c757d">Nothing to show yet.</text>')
    for i, group in enumerate(groups):
        y0 = top + i * (group_h + gap)
        parts.append(f'<g><text x="{label_width - 8}" y="{y0 + group_h / 2 + 5}" text-anchor="end" font-size="13" '
                     f'fill="#212529">{escape(group.label)}</text>')
        for j, bar in enumerate(group.bars):
            y = y0 + j * (bar_h + 2)
            size = 0 if largest <= 0 else int(span * Decimal(bar.value) / largest)
            colour = bar.colour or PALETTE[j % len(PALETTE)]
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{span}" height="{bar_h}" fill="#f1f3f5" rx="2"/>'
                f'<rect x="{label_width}" y="{y}" width="{max(size, 0)}" height="{bar_h}" fill="{colour}" rx="2">'
                f"<title>{escape(group.label)}, {escape(bar.label)}: {escape(bar.display)}</title></rect>"
                f'<text x="{label_width + span + 8}" y="{y + bar_h - 2}" font-size="12" font-weight="600" '
                f'fill="#212529">{escape(bar.display)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
