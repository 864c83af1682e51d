"""Widget helpers: numeric inputs built from the catalogues' ranges and scales.

Every widget here has its state seeded in `st.session_state` first, so that callbacks may
set a widget's value before it is drawn, and is also given that value as its default
(`number_box`, the sliders): a browser that draws a widget without the session's value falls
back to the default, and Streamlit's own default is the minimum (a start box once showed
-10000 after a click on the map had moved the start to 2). The configuration turns off
Streamlit's warning about a default given beside a session value.

Each takes an `on_change(value)` callback. Edits reach the scene through these callbacks,
which Streamlit runs before the script: when the script draws the page, the scene is already
the edited one, so one pass draws everything (titles included) from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import streamlit as st

OnChange = Callable[[float], None]
# A log slider's callback: the new value, and the part of the page to redraw with the views (the
# slider's pair, `pair_part(key)`) or None when the pair shows the value already.
OnPairChange = Callable[[float, "str | None"], None]


def seed(key: str, value) -> None:
    """Give a widget its first value (later reruns keep what the user chose)."""
    if key not in st.session_state:
        st.session_state[key] = value


# A widget whose value the app changes (the start moved by a click on the map, a log slider's
# number box following the slider, a rejected value put back) is drawn anew under a new key,
# seeded from the scene: a value written into the session state in a callback does not reach
# a widget that is redrawn by a fragment's rerun (Streamlit 1.67), only a new widget starts
# from it. `versioned(key)` is the widget's current key; `renew(key)` moves it to the next.
VERSIONS = "widget_versions"


def versioned(key: str) -> str:
    version = st.session_state.get(VERSIONS, {}).get(key, 0)
    return f"{key}~{version}" if version else key


def renew(*keys: str) -> None:
    versions = st.session_state.setdefault(VERSIONS, {})
    for key in keys:
        versions[key] = versions.get(key, 0) + 1


def current(key: str):
    """The value of the widget `key` (under its current version)."""
    return st.session_state[versioned(key)]


def seeded(key: str, value) -> str:
    """The widget `key`'s current versioned key, seeded with `value` if new."""
    key = versioned(key)
    seed(key, value)
    return key


def log_grid(low: float, high: float) -> list[float]:
    """1-2-5 steps per decade from low to high (both included), e.g. 1e-5 ... 10."""
    values = {float(low), float(high)}
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for mantissa in (1.0, 2.0, 5.0):
            v = float(f"{mantissa}e{exponent}")
            if low <= v <= high:
                values.add(v)
    return sorted(values)


def nearest(grid: list[float], value: float) -> float:
    if value <= 0:
        return grid[0]
    return min(grid, key=lambda g: abs(math.log(g) - math.log(value)))


def number_box(container, label: str, key: str, **kwargs):
    """`container.number_input` for the seeded widget `key`, its default its current value."""
    return container.number_input(label, value=st.session_state[key], key=key, **kwargs)


def number_text(value: float) -> str:
    return f"{value:g}"


def pair_part(key: str) -> str:
    """The part of the page that is the log slider `key`'s pair (see `log_slider`)."""
    return f"{key}:pair"


def log_slider(label: str, key: str, value: float, *, low: float, high: float, ui_low: float, ui_high: float,
               on_change: OnPairChange, help: str | None = None) -> None:  # fmt: skip
    """A log-scale slider for a quick choice and a number box for the exact value, kept in sync.

    `low`/`high` bound what may be typed; the slider spans `ui_low`..`ui_high` (widened to
    include the current value). `on_change` gets the exact value and the part to redraw: the
    pair is a part of the page of its own (`pair_part(key)`), drawn anew from the value (see
    `renew`) when the other half must follow: the box after a move of the slider, the slider
    after a typed value off its notch. A typed value whose nearest notch is the slider's own
    redraws nothing (None): the box shows it, the slider stays where it is.
    """

    def draw() -> None:
        base = versioned(key)
        slider_key, exact_key = f"{base}:slider", f"{base}:exact"
        seed(exact_key, float(value))
        # The box holds the pair's value: when this part reruns alone, `value` is the one of the
        # page's last full run, and the callback below has already seeded the edited one.
        current = float(st.session_state[exact_key])
        grid = _slider_grid(current, ui_low, ui_high)
        seed(slider_key, nearest(grid, current))

        def changed(new: float) -> None:
            renew(key)
            seed(f"{versioned(key)}:exact", float(new))
            on_change(new, pair_part(key))

        def typed() -> None:
            new = float(st.session_state[exact_key])
            if _slider_grid(new, ui_low, ui_high) == grid and nearest(grid, new) == st.session_state[slider_key]:
                on_change(new, None)  # the slider's notch is the nearest already
            else:
                changed(new)

        left, right = st.columns([3, 2], vertical_alignment="bottom")
        left.select_slider(label, options=grid, value=st.session_state[slider_key], key=slider_key, format_func=number_text, help=help,
                           on_change=lambda: changed(float(st.session_state[slider_key])))  # fmt: skip
        number_box(
            right,
            f"{label} (exact)",
            exact_key,
            min_value=float(low),
            max_value=float(high),
            on_change=typed,
            format="%g",
            step=None,
            label_visibility="collapsed",
        )

    st.fragment(draw, key=pair_part(key))()


def _slider_grid(value: float, ui_low: float, ui_high: float) -> list[float]:
    return log_grid(min(ui_low, value) if value > 0 else ui_low, max(ui_high, value))


def linear_slider(label: str, key: str, value: float, *, ui_low: float, ui_high: float, step: float,
                  on_change: OnChange, help: str | None = None) -> None:  # fmt: skip
    key = versioned(key)
    seed(key, float(value))
    low, high = min(ui_low, float(st.session_state[key])), max(ui_high, float(st.session_state[key]))
    decimals = max(0, -math.floor(math.log10(step)))
    st.slider(label, min_value=float(low), max_value=float(high), value=float(st.session_state[key]), step=step, key=key,
              format=f"%.{decimals}f", help=help, on_change=lambda: on_change(float(st.session_state[key])))  # fmt: skip


def slider_step(name: str, ui_high: float) -> float:
    """A step fine enough for the parameter: beta2 needs 0.9999, momentum 0.001 is plenty."""
    if name == "beta2":
        return 0.0001
    return 0.001 if ui_high <= 1.0 else 0.01


def number(label: str, key: str, value, *, on_change: Callable[[], None], low=None, high=None, integer=False,
           step=None, help=None) -> None:  # fmt: skip
    """A number box; `on_change()` reads the new value from the session state (at
    `versioned(key)`: callbacks that combine several boxes, like the start's x and y, read them
    all)."""
    key = versioned(key)
    seed(key, int(value) if integer else float(value))
    if integer:
        number_box(st, label, key, min_value=None if low is None else int(math.ceil(low)),
                   max_value=None if high is None else int(high), step=int(step or 1), help=help,
                   on_change=on_change)  # fmt: skip
    else:
        number_box(st, label, key, min_value=low, max_value=high, format="%g", step=step, help=help,
                   on_change=on_change)  # fmt: skip


def run_index(value, labels: list[str]) -> int:
    """The run a select of runs (options: their indices, shown by label) stands for. Streamlit
    hands back the shown label instead of the index when the labels changed under the select
    (an edit renamed a run), and an index can outlive a removed run: both read as a valid index."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(labels):
        return value
    return labels.index(value) if isinstance(value, str) and value in labels else 0


def run_select(label: str, labels: list[str], key: str, selected: int, *, container=None, **kwargs) -> int:
    """A select of one run by its label, showing the run `selected` (the options' selected run,
    which other views change too); the chosen run's index."""
    st.session_state[key] = run_index(selected, labels)
    chosen = (container or st).selectbox(label, range(len(labels)), key=key, format_func=lambda i: labels[i], **kwargs)
    return run_index(chosen, labels)
