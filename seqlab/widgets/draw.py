"""Small, dependency-free drawings for the explorers: SVG line and bar charts, HTML vector cells.

The explorers save every view they can show in the notebook's widget state, so the views
must be small and self-contained: inline SVG and HTML, no images, no scripts, no external
fonts. Every function returns a string of markup; numbers are printed rounded, so a view
is the same every time it is computed.

Labels are markup: use :func:`sym` for the course's symbols (``sym("a", "t")`` gives
a<sup>⟨t⟩</sup> in HTML) and :func:`svg_sym` inside SVG text.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html import escape
from typing import Sequence

import numpy as np

__all__ = ["PALETTE", "Series", "sym", "svg_sym", "fmt", "line_chart", "bar_chart", "vector_cells",
           "token_strip", "compact"]

#: colours of the series of a chart, in order (colour-blind friendly, readable on white)
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
_GRID, _AXIS, _MUTED = "#d9d9d9", "#555555", "#b0b0b0"
_FONT = 'font-family="sans-serif" font-size="12" fill="#222"'


@dataclass(frozen=True)
class Series:
    """One line of a :func:`line_chart`: y against x, with a legend label (markup)."""

    label: str
    x: Sequence[float]
    y: Sequence[float]
    color: str | None = None
    dashed: bool = False
    muted: bool = False      #: drawn thin and grey, behind the others, without a legend entry
    markers: bool = False


def sym(base: str, step: str | None = None, sub: str | None = None) -> str:
    """HTML of a symbol of the notation: ``sym("a", "t")`` → a⟨t⟩ as a superscript, ``sym("Γ", sub="u")``."""
    out = escape(base)
    if sub:
        out += f"<sub>{escape(sub)}</sub>"
    if step:
        out += f"<sup>⟨{escape(step).replace('T_x', 'T<sub>x</sub>')}⟩</sup>"
    return out


def svg_sym(base: str, step: str | None = None, sub: str | None = None) -> str:
    """The same symbol as :func:`sym`, as SVG ``<tspan>`` markup for chart labels."""
    out = escape(base)
    if sub:
        out += f'<tspan baseline-shift="sub" font-size="75%">{escape(sub)}</tspan>'
    if step:
        out += f'<tspan baseline-shift="super" font-size="75%">⟨{escape(step).replace("T_x", "Tₓ")}⟩</tspan>'
    return out


def fmt(value: float, digits: int = 3) -> str:
    """A number rounded to ``digits`` significant digits; scientific (2.1·10⁻⁴) when very small or large."""
    value = float(value)
    if not math.isfinite(value):
        return "∞" if value > 0 else ("−∞" if value < 0 else "NaN")
    if value == 0:
        return "0"
    mantissa_text, exponent_text = f"{value:.{digits - 1}e}".split("e")   # rounded once, here
    exponent = int(exponent_text)
    if -3 <= exponent < 5:
        text = f"{float(f'{value:.{digits - 1}e}'):.{max(digits - 1 - exponent, 0)}f}"
    else:
        text = f"{mantissa_text}·10{_superscript(exponent)}"
    return text.replace("-", "−", 1) if text.startswith("-") else text


def _superscript(n: int) -> str:
    return str(n).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """At least ``count`` − 1 round tick values inside [lo, hi] (steps of 1, 2 or 5 times a power of 10)."""
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = max(m * power for m in (1, 2, 5) if m * power <= raw * 1.001)
    first = math.ceil(lo / step - 1e-9) * step
    ticks, k = [], 0
    while first + k * step <= hi + step * 1e-9:
        ticks.append(round(first + k * step, 12))
        k += 1
    return ticks


def _log_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten covering [lo, hi], at most eight of them (every second, third... decade)."""
    e0, e1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    every = max(1, math.ceil((e1 - e0 + 1) / 8))
    return [10.0 ** e for e in reversed(range(e1, e0 - 1, -every))]  # the top decade is always labelled


def _tick_label(value: float, log: bool) -> str:
    if log:
        exponent = round(math.log10(value))
        return "1" if exponent == 0 else ("10" if exponent == 1 else f"10{_superscript(exponent)}")
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:g}".replace("-", "−")
    return fmt(value, 2)


def line_chart(series: Sequence[Series], *, width: int = 520, height: int = 220, x_label: str = "",
               y_label: str = "", log_y: bool = False, y_range: tuple[float, float] | None = None,
               x_range: tuple[float, float] | None = None, title: str = "", aria_label: str = "") -> str:
    """An SVG line chart of ``series`` (muted ones drawn first, in grey, without legend).

    ``log_y`` draws y on a logarithmic axis (values ≤ 0 are clipped to the smallest
    positive value of the chart). Labels and titles are SVG text markup (see :func:`svg_sym`).
    """
    if not series:
        raise ValueError("line_chart needs at least one series")
    xs = np.concatenate([np.asarray(s.x, dtype=float) for s in series])
    ys = np.concatenate([np.asarray(s.y, dtype=float) for s in series])
    x0, x1 = x_range or (float(xs.min()), float(xs.max()))
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    if log_y:
        positive = ys[(ys > 0) & np.isfinite(ys)]
        floor = float(positive.min()) if positive.size else 1e-16
        y0, y1 = y_range or (floor, float(positive.max()) if positive.size else 1.0)
        y0, y1 = 10 ** math.floor(math.log10(y0)), 10 ** math.ceil(math.log10(y1))
        if y1 <= y0:
            y1 = y0 * 10
        ticks = _log_ticks(y0, y1)
        to_unit = lambda v: (math.log10(max(v, y0)) - math.log10(y0)) / (math.log10(y1) - math.log10(y0))  # noqa: E731
    else:
        finite = ys[np.isfinite(ys)]
        y0, y1 = y_range or (float(finite.min()), float(finite.max()))
        if y1 == y0:
            y0, y1 = y0 - 1, y1 + 1
        ticks = _nice_ticks(y0, y1)
        y0, y1 = min(y0, ticks[0]), max(y1, ticks[-1])
        to_unit = lambda v: (v - y0) / (y1 - y0)  # noqa: E731
    legend = [s for s in series if not s.muted and s.label]
    left, right, top, bottom = 62, 12, 26 if title else 12, 40
    top += 16 * math.ceil(len(legend) / 4)
    pw, ph = width - left - right, height - top - bottom

    def px(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * pw

    def py(v: float) -> float:
        return top + (1 - min(max(to_unit(v), -0.05), 1.05)) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="seqlab-chart" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {_FONT} role="img" aria-label="{escape(aria_label or _strip(title))}">',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    if title:
        out.append(f'<text x="{left}" y="16" font-weight="bold">{title}</text>')
    for tick in ticks:
        y = py(tick)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="{_GRID}"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{_AXIS}">'
                   f'{_tick_label(tick, log_y)}</text>')
    for tick in _nice_ticks(x0, x1, 6):
        x = px(tick)
        out.append(f'<line x1="{x:.1f}" y1="{top + ph}" x2="{x:.1f}" y2="{top + ph + 4}" stroke="{_AXIS}"/>')
        out.append(f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle" fill="{_AXIS}">'
                   f'{_tick_label(tick, False)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="{_AXIS}"/>')
    if x_label:
        out.append(f'<text x="{left + pw / 2:.1f}" y="{height - 6}" text-anchor="middle">'
                   f'{x_label}</text>')
    if y_label:
        out.append(f'<text transform="translate(14 {top + ph / 2:.1f}) rotate(-90)" '
                   f'text-anchor="middle">{y_label}</text>')
    clip = f"seqlab-clip-{width}-{height}-{left}-{top}"  # same id ⇔ same rectangle, on any page
    out.append(f'<clipPath id="{clip}"><rect x="{left}" y="{top}" width="{pw}" height="{ph}"/></clipPath>')
    colors = iter(PALETTE)
    ordered = [s for s in series if s.muted] + [s for s in series if not s.muted]
    for s in ordered:
        color = _MUTED if s.muted else (s.color or next(colors))
        points = [(px(float(x)), py(float(y))) for x, y in zip(s.x, s.y) if math.isfinite(float(y))]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        dash = ' stroke-dasharray="5 4"' if s.dashed else ""
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" clip-path="url(#{clip})" '
                   f'stroke-width="{1 if s.muted else 2}"{dash}/>')
        if s.markers:
            out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"><title>{fmt(v)}</title></circle>'
                    for (x, y), v in zip(points, [v for v in s.y if math.isfinite(float(v))])]
    colors = iter(PALETTE)
    for k, s in enumerate(legend):
        color = s.color or next(colors)
        lx, ly = left + (k % 4) * (pw / 4), (30 if title else 14) + 16 * (k // 4)
        dash = ' stroke-dasharray="5 4"' if s.dashed else ""
        out.append(f'<line x1="{lx:.1f}" y1="{ly - 4}" x2="{lx + 18:.1f}" y2="{ly - 4}" stroke="{color}" '
                   f'stroke-width="2"{dash}/>')
        out.append(f'<text x="{lx + 22:.1f}" y="{ly}">{s.label}</text>')
    out.append("</svg>")
    return compact("".join(out))


def compact(markup: str) -> str:
    """Attributes in single quotes: the markup is stored in JSON (widget state), where ``"`` costs ``\\"``.

    Safe because every attribute value is either ours or passed through :func:`html.escape`,
    which turns ``'`` into ``&#x27;``.
    """
    return re.sub(r'="([^"<>\']*)"', r"='\1'", markup)


def _strip(markup: str) -> str:
    """The text of SVG/HTML markup, for an ``aria-label``."""
    return re.sub(r"<[^>]+>", "", markup)


def bar_chart(labels: Sequence[str], values: Sequence[float], *, reference: Sequence[float] | None = None,
              highlight: int | None = None, max_value: float | None = None, width: int = 420,
              title: str = "", reference_label: str = "", digits: int = 3) -> str:
    """A horizontal SVG bar chart: one bar per label (plain text), its value printed at its end.

    ``reference`` draws a second, hollow bar per label (e.g. the distribution at τ = 1);
    ``highlight`` outlines one bar (e.g. the target).
    """
    values = [float(v) for v in values]
    if len(labels) != len(values) or not values:
        raise ValueError(f"bar_chart needs one value per label; got {len(labels)} labels, {len(values)} values")
    if reference is not None and len(reference) != len(values):
        raise ValueError("reference needs one value per label")
    top = 26 if title else 6
    if reference is not None and reference_label:
        top += 16
    row, left, right = 20, 12 + 8 * max(len(str(lab)) for lab in labels), 64
    height = top + row * len(values) + 6
    scale_max = max_value if max_value is not None else max(values + list(reference or [])) or 1.0
    pw = width - left - right
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="seqlab-chart" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {_FONT} role="img" aria-label="{escape(_strip(title))}">',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    if title:
        out.append(f'<text x="6" y="16" font-weight="bold">{title}</text>')
    if reference is not None and reference_label:
        ly = top - 6
        out.append(f'<rect x="6" y="{ly - 9}" width="14" height="10" fill="none" stroke="{_AXIS}" '
                   f'stroke-dasharray="3 2"/><text x="24" y="{ly}">{reference_label}</text>')
    for k, (label, value) in enumerate(zip(labels, values)):
        y = top + k * row
        w = max(value, 0) / scale_max * pw
        color = PALETTE[1] if k == highlight else PALETTE[0]
        out.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">'
                   f'{escape(str(label))}</text>')
        out.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{color}">'
                   f'<title>{escape(str(label))}: {fmt(value, digits)}</title></rect>')
        if reference is not None:
            rw = max(float(reference[k]), 0) / scale_max * pw
            out.append(f'<rect x="{left}" y="{y + 2}" width="{rw:.1f}" height="{row - 4}" fill="none" '
                       f'stroke="{_AXIS}" stroke-dasharray="3 2"/>')
        out.append(f'<text x="{left + w + 4:.1f}" y="{y + 14}">{fmt(value, digits)}</text>')
    out.append("</svg>")
    return compact("".join(out))


def _diverging(value: float, limit: float) -> str:
    """Blue (negative) – white (0) – red (positive) background for a value in [−limit, limit]."""
    u = max(-1.0, min(1.0, value / limit)) if limit > 0 else 0.0
    r, g, b = (255, round(255 * (1 - u)), round(255 * (1 - u))) if u >= 0 else \
        (round(255 * (1 + u)), round(255 * (1 + u)), 255)
    return f"#{r:02x}{g:02x}{b:02x}"


def vector_cells(values: Sequence[float], *, limit: float = 1.0, digits: int = 2, show_numbers: bool = True) -> str:
    """An SVG row of cells, one per entry of a vector, coloured blue (−) to red (+), the value on hover
    (and printed in the cell with ``show_numbers``)."""
    width, height = (40, 20) if show_numbers else (12, 18)
    total = width * len(values) + 2
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="seqlab-vector" width="{total}" height="{height + 2}" '
           f'viewBox="0 0 {total} {height + 2}" font-family="monospace" font-size="11" role="img" '
           f'aria-label="vector of {len(values)} entries" style="vertical-align:middle">']
    for k, v in enumerate(values):
        v, x = float(v), 1 + k * width
        out.append(f'<rect x="{x}" y="1" width="{width}" height="{height}" fill="{_diverging(v, limit)}" '
                   f'stroke="#cccccc"><title>entry {k + 1}: {v:+.4f}</title></rect>')
        if show_numbers:
            ink = "#ffffff" if abs(v) > 0.7 * limit else "#111111"
            text = f"{v:+.{digits}f}".replace("-", "−")
            out.append(f'<text x="{x + width / 2:g}" y="{height - 4}" text-anchor="middle" fill="{ink}">{text}</text>')
    out.append("</svg>")
    return compact("".join(out))


def token_strip(tokens: Sequence[str], current: int, *, symbol: str = "x") -> str:
    """HTML boxes x⟨1⟩ … x⟨T⟩ holding ``tokens``; box ``current`` (1-based) highlighted, later ones faded."""
    boxes = []
    for t, token in enumerate(tokens, start=1):
        style = ("border:2px solid #d62728;background:#fff4f4" if t == current else
                 "border:1px solid #999;background:#fff" + (";opacity:0.45" if t > current else ""))
        boxes.append(f'<span style="display:inline-block;margin:2px;padding:2px 6px;text-align:center;{style}">'
                     f'<span style="font:14px monospace">{escape(token)}</span><br/>'
                     f'<span style="font-size:11px;color:#555">{sym(symbol, str(t))}</span></span>')
    return compact('<div class="seqlab-tokens">' + "".join(boxes) + "</div>")
