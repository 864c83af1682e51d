"""The map's key as HTML: each run's line and label in its colour, the markers, and the colour
scale of the landscape, for a page to show beside the figure instead of inside it.

Why outside: plotly.js lays out and measures every text of a legend and a colour bar on every
draw of the figure, and the app draws a new figure on every edit; in Streamlit's page the two
took about 50 ms of an edit's redraw. HTML text costs the browser next to nothing. Figures
that leave the page (HTML, PNG, video exports) keep plotly's own legend and colour bar.

Everything a user typed (run labels) is escaped; the markup is built from our own values only.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from viz._types import as_surface, global_minimum_value, plain_minima
from viz.colour import LANDSCAPE_COLOURSCALE, ColourScale, format_value, landscape_scale
from viz.style import run_colours, visible_runs

if TYPE_CHECKING:
    from viz._types import MinimumLike, ResultLike

# Class names a page's tests and stylesheets can find.
OVERLAY_CLASS = "descent-overlay-scales"
KEY_CLASS = "descent-key"
LABEL_CLASS = "descent-key-label"
SCALE_CLASS = "descent-key-scale"

_SYMBOLS = {
    # 14 × 14 SVG markers drawn like the map's: start (white circle), global minimum (white
    # star), local minimum (open diamond), diverged (cross).
    "start": '<circle cx="7" cy="7" r="4.5" fill="#ffffff" stroke="#000000" stroke-width="2"/>',
    "global minimum": '<polygon points="7,1 8.8,5.2 13.3,5.5 9.9,8.5 10.9,12.9 7,10.6 3.1,12.9 4.1,8.5 0.7,5.5 5.2,5.2" '
                      'fill="#ffffff" stroke="#000000" stroke-width="1.2"/>',  # fmt: skip
    "local minimum": '<polygon points="7,1.5 12.5,7 7,12.5 1.5,7" fill="none" stroke="#000000" stroke-width="1.8"/>',
    "diverged": '<path d="M2,2 L12,12 M12,2 L2,12" stroke="#000000" stroke-width="2.2"/>',
}


def map_key_html(
    result: ResultLike,
    surface: Sequence[np.ndarray],
    *,
    minima: Sequence[MinimumLike | Mapping[str, Any]] | None = (),
    log_scale: bool = False,
    colours: Sequence[str] | None = None,
    visible: Sequence[bool] | None = None,
    font_size: int = 13,
    overlay_scales: Sequence[tuple[str, str, float]] = (),
    overlay_note: str = "",
) -> str:
    """The key of `trajectory_map_spec(result, surface, ...)` with the same options, as HTML.
    `overlay_scales`: (title, colour, factor) of each state overlay drawn, one scale per kind,
    stated after `overlay_note` (which run they belong to, how the scales were chosen)."""
    grid = as_surface(surface)
    known = plain_minima(minima)
    scale = landscape_scale(grid.z, log_scale=log_scale, minimum_value=global_minimum_value(known))
    colour_of = run_colours(result, colours)
    runs = visible_runs(result, visible)
    items = [_line_item(run.label, colour_of[index]) for index, run in runs]
    if any(len(run.path) for _, run in runs):
        items.append(_symbol_item("start"))
    if any(m.is_global for m in known):
        items.append(_symbol_item("global minimum"))
    if any(not m.is_global for m in known):
        items.append(_symbol_item("local minimum"))
    if any(run.status == "diverged" for _, run in runs):
        items.append(_symbol_item("diverged"))
    style = (f"display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:6px 18px;"
             f"font-size:{font_size}px;line-height:1.3;margin:0 0 4px 0")  # fmt: skip
    legend = f'<div style="display:flex;flex-wrap:wrap;align-items:center;gap:4px 16px">{"".join(items)}</div>'
    scales = ""
    if overlay_note:
        arrows = "".join(f' <span style="white-space:nowrap"><span style="color:{colour}">⟶</span> '
                         f'{html.escape(title)} ×{factor:.3g}</span>' for title, colour, factor in overlay_scales)  # fmt: skip
        scales = (f'<div class="{OVERLAY_CLASS}" style="flex-basis:100%;font-size:{font_size - 1}px;opacity:0.8">'
                  f'{html.escape(overlay_note)}{arrows}</div>')  # fmt: skip
    return f'<div class="{KEY_CLASS}" style="{style}">{legend}{colour_scale_html(scale)}{scales}</div>'


def _line_item(label: str, colour: str) -> str:
    text = html.escape(label)
    return (f'<span style="display:inline-flex;align-items:center;gap:6px">'
            f'<span style="display:inline-block;width:22px;height:3px;border-radius:2px;background:{colour}"></span>'
            f'<span class="{LABEL_CLASS}" style="color:{colour}">{text}</span></span>')  # fmt: skip


def _symbol_item(name: str) -> str:
    return (f'<span style="display:inline-flex;align-items:center;gap:5px">'
            f'<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">{_SYMBOLS[name]}</svg>'
            f'<span class="{LABEL_CLASS}">{name}</span></span>')  # fmt: skip


def colour_scale_html(scale: ColourScale, width: int = 200) -> str:
    """The landscape's colours as a horizontal bar, labelled in units of f."""
    stops = ", ".join(f"{colour} {position * 100:.0f}%" for position, colour in LANDSCAPE_COLOURSCALE)
    ticks = "".join(
        f'<span style="position:absolute;left:{fraction * 100:.2f}%;transform:translateX(-50%);white-space:nowrap">'
        f"{html.escape(label)}</span>"
        for fraction, label in scale_ticks(scale)
    )
    title = "f (log scale)" if scale.log else "f"
    return (f'<span class="{SCALE_CLASS}" style="display:inline-flex;align-items:flex-start;gap:8px">'
            f'<span style="padding-top:1px">{title}</span>'
            f'<span style="display:inline-block;width:{width}px">'
            f'<span style="display:block;height:10px;border:1px solid #9aa3ad;background:linear-gradient(to right, {stops})"></span>'
            f'<span style="display:block;position:relative;height:1.3em;font-size:0.85em;color:#444">{ticks}</span>'
            f"</span></span>")  # fmt: skip


def scale_ticks(scale: ColourScale, count: int = 5) -> list[tuple[float, str]]:
    """(fraction along the bar, label) of the scale's ticks: the log scale's own round values,
    or about `count` round values of a linear scale."""
    span = scale.high - scale.low or 1.0
    if scale.log:
        positions, labels = scale.ticks() or ([], [])
        return [((t - scale.low) / span, label) for t, label in zip(positions, labels)]
    raw = span / max(count - 1, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(scale.low / step) * step
    values = np.arange(first, scale.high + step * 1e-9, step)
    return [((float(v) - scale.low) / span, format_value(float(round(v, 12)))) for v in values]
