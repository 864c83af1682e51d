"""Each coordinate's step: the effective learning rate along x and along y over the steps, per
run, and the Adam family's bias corrections over the first steps. A pure dict builder.

Input: per run, the values `descent.explain_steps` returns (a mapping of NumPy arrays with one
row per step; `effective_lr` (n, 2) for adaptive methods, `learning_rate` (n,), and
`bias_correction1` / `bias_correction2` (n,) where the optimizer has them). A method without
per-coordinate scaling (SGD, Lion) steps with η along both axes, drawn as such.

    steps = [descent.explain_steps(scenario, run=i) for i in range(len(scenario.runs))]
    spec = viz.step_sizes_spec(steps, labels=[...], colours=[...])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

# Steps shown in the bias-correction panel: where the corrections matter.
BIAS_STEPS = 100
# Longer runs are thinned to at most this many points per line (every k-th step, last kept).
MAX_POINTS = 2000
DASHES = {"bias_correction1": "solid", "bias_correction2": "dot"}


def coordinate_step_sizes(steps: Mapping) -> np.ndarray:
    """(n, 2): each coordinate's effective learning rate at each step (η where not adaptive)."""
    if "effective_lr" in steps:
        return np.asarray(steps["effective_lr"], np.float32)
    lr = np.asarray(steps["learning_rate"], np.float32)
    return np.stack([lr, lr], axis=1)


def _thin(n: int) -> np.ndarray:
    if n <= MAX_POINTS:
        return np.arange(n)
    stride = -(-n // MAX_POINTS)
    return np.unique(np.append(np.arange(0, n, stride), n - 1))


def step_sizes_spec(
    runs_steps: Sequence[Mapping],
    *,
    labels: Sequence[str],
    colours: Sequence[str],
    visible: Sequence[bool] | None = None,
    current_step: int | None = None,
    height: int = 640,
) -> dict:
    """Three panels: η_eff along x, along y (log axes), and 1 − β1^t, 1 − β2^t over the first
    BIAS_STEPS steps for the runs that have them (a note when none has)."""
    visible = list(visible) if visible is not None else [True] * len(runs_steps)
    data: list[dict] = []
    has_bias = False
    for i, steps in enumerate(runs_steps):
        if not visible[i]:
            continue
        sizes = coordinate_step_sizes(steps)
        idx = _thin(len(sizes))
        # Every step: the x axis is implicit (x0 = 0, dx = 1); thinned: the steps kept.
        steps_x = {"x0": 0, "dx": 1} if len(idx) == len(sizes) else {"x": idx.astype(np.int32)}
        for axis, name in ((0, "x"), (1, "y")):
            data.append({
                "type": "scatter", "mode": "lines", **steps_x, "y": np.ascontiguousarray(sizes[idx, axis], np.float32),
                "name": labels[i], "legendgroup": labels[i], "showlegend": axis == 0, "meta": f"{labels[i]}:{name}",
                "line": {"color": colours[i], "width": 2}, "xaxis": "x" if axis == 0 else "x2",
                "yaxis": "y" if axis == 0 else "y2",
                "hovertemplate": f"{labels[i]}<br>step %{{x}}<br>η_eff along {name} %{{y:.4g}}<extra></extra>",
            })  # fmt: skip
        for name in ("bias_correction1", "bias_correction2"):
            if name not in steps:
                continue
            has_bias = True
            values = np.asarray(steps[name], np.float32)[:BIAS_STEPS]
            data.append({
                "type": "scatter", "mode": "lines", "x0": 1, "dx": 1, "y": values,
                "name": f"{labels[i]}: 1 − β{name[-1]}^t", "legendgroup": labels[i], "showlegend": False,
                "meta": f"{labels[i]}:{name}", "line": {"color": colours[i], "width": 2, "dash": DASHES[name]},
                "xaxis": "x3", "yaxis": "y3",
                "hovertemplate": f"{labels[i]}<br>t = %{{x}}<br>1 − β{name[-1]}^t = %{{y:.4g}}<extra></extra>",
            })  # fmt: skip
    layout: dict = {
        "height": height,
        "margin": {"l": 70, "r": 20, "t": 40, "b": 50},
        "xaxis": {"domain": [0, 1], "anchor": "y", "matches": "x2", "showticklabels": False},
        "yaxis": {"domain": [0.68, 1], "type": "log", "title": {"text": "η_eff along x"}},
        "xaxis2": {"domain": [0, 1], "anchor": "y2", "title": {"text": "step"}},
        "yaxis2": {"domain": [0.36, 0.64], "type": "log", "title": {"text": "η_eff along y"}},
        "xaxis3": {"domain": [0, 1], "anchor": "y3", "title": {"text": "t (first steps)"}},
        "yaxis3": {"domain": [0, 0.24], "range": [0, 1.05], "title": {"text": "1 − β^t"}},
        "legend": {"orientation": "h", "y": 1.08},
        "annotations": [],
        "shapes": [],
    }
    if not has_bias:
        layout["annotations"].append({
            "text": "No run has bias corrections (the Adam family has).", "showarrow": False,
            "xref": "x3 domain", "yref": "y3 domain", "x": 0.5, "y": 0.5,
        })  # fmt: skip
    if current_step is not None:
        for yref in ("y domain", "y2 domain"):
            layout["shapes"].append({
                "type": "line", "x0": current_step, "x1": current_step, "y0": 0, "y1": 1,
                "xref": "x" if yref == "y domain" else "x2", "yref": yref, "line": {"color": "#555", "dash": "dash", "width": 1},
            })  # fmt: skip
    return {"data": data, "layout": layout}
