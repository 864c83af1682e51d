"""State overlays on the map: what the optimizer holds at the animated step, drawn at the run's
current point.

Kinds:
    gradient   −g, the negative gradient the optimizer received (the noise included)
    momentum   the velocity or first moment as the flavour stores it, signed to point along the
               step it pushes (PyTorch's SGD buffer and Adam's m are sums of gradients: −b, −m)
    step       the update actually added to the point
    box        adaptive methods: each coordinate's effective learning rate as a box around the
               point, half-sides ∝ η_eff along x and along y

Each kind has one scale over the whole run, chosen so that its largest arrow (or box) spans
`SHARE` of the view; the legend states it ("−g ×0.0123"). Input: `descent.explain_steps` of the
run (a mapping of per-step arrays) and the run's path; pure dicts out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

KINDS = ("gradient", "momentum", "step", "box")
TITLES = {"gradient": "−gradient", "momentum": "momentum", "step": "step taken", "box": "η_eff box"}
COLOURS = {"gradient": "#d62728", "momentum": "#1f77b4", "step": "#111111", "box": "#9467bd"}
# The largest arrow of each kind spans this share of the view's smaller side.
SHARE = 0.15
# The momentum buffer's name in each optimizer's state, and the sign that makes it point along
# the step it pushes, per flavour.
MOMENTUM = {"sgd": "velocity", "rmsprop": "momentum", "adam": "m", "adamw": "m", "adamax": "m", "nadam": "m", "lion": "m"}
MOMENTUM_SIGN = {("sgd", "keras"): 1.0, ("rmsprop", "optax"): 1.0}  # these already point along the step


def vectors(steps: Mapping, kind: str) -> np.ndarray | None:
    """(n, 2) per step: the arrow of `kind` (or the box's half-sides), None if the run has none."""
    opt, fl = steps.get("optimizer"), steps.get("flavour")
    if kind == "gradient":
        return -np.asarray(steps["gradient"], np.float32)
    if kind == "step":
        return np.asarray(steps["update"], np.float32)
    if kind == "momentum":
        name = MOMENTUM.get(opt)
        if name is None or name not in steps["state_after"]:
            return None
        return MOMENTUM_SIGN.get((opt, fl), -1.0) * np.asarray(steps["state_after"][name], np.float32)
    if kind == "box":
        return np.asarray(steps["effective_lr"], np.float32) if "effective_lr" in steps else None
    raise ValueError(kind)


def scale(vecs: np.ndarray, span: float) -> float:
    """Multiply a kind's vectors by this so the longest (finite) one spans SHARE of `span`."""
    lengths = np.hypot(vecs[:, 0], vecs[:, 1]) if len(vecs) else np.zeros(0)
    lengths = lengths[np.isfinite(lengths)]
    top = float(lengths.max()) if len(lengths) else 0.0
    return SHARE * span / top if top > 0 else 0.0


def _shape(kind: str, head: np.ndarray, vec: np.ndarray, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """The arrow (or box) as x and y, in float32 like the path it starts from: written as the
    shortest decimal of a float32, an arrow takes half the bytes of a float64 one in each of the
    hundred frames."""
    if not (np.all(np.isfinite(vec)) and np.all(np.isfinite(head))):
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    x, y = float(head[0]), float(head[1])
    if kind == "box":
        hx, hy = float(vec[0] * factor), float(vec[1] * factor)
        xs, ys = [x - hx, x + hx, x + hx, x - hx, x - hx], [y - hy, y - hy, y + hy, y + hy, y - hy]
    else:
        xs, ys = [x, x + float(vec[0] * factor)], [y, y + float(vec[1] * factor)]
    return np.asarray(xs, np.float32), np.asarray(ys, np.float32)


class Overlays:
    """The overlay traces of one run and their content at any animated step."""

    def __init__(self, steps: Mapping, path: np.ndarray, kinds: Sequence[str], span: float, label: str):
        self.path = np.asarray(path, np.float32)
        self.kinds: list[str] = []
        self.vecs: dict[str, np.ndarray] = {}
        self.factors: dict[str, float] = {}
        for kind in KINDS:
            if kind not in kinds:
                continue
            vecs = vectors(steps, kind)
            if vecs is None or not len(vecs):
                continue
            self.kinds.append(kind)
            self.vecs[kind] = vecs
            self.factors[kind] = scale(vecs, span)
        self.label = label

    def at(self, step: int) -> list[dict]:
        """Each kind's x and y at path index `step`. No step leaves a run's last point: there
        (and after a diverged run ended) the last step taken is shown, where it started."""
        out = []
        for kind in self.kinds:
            vecs = self.vecs[kind]
            k = min(step, len(vecs) - 1)
            if k >= 0:
                x, y = _shape(kind, self.path[k], vecs[k], self.factors[kind])
            else:
                x, y = [], []
            out.append({"x": x, "y": y})
        return out

    def at_steps(self, steps: Sequence[int]) -> list[list[dict]]:
        """`at(step)` for each of `steps` (the animation's frames), computed a kind at a time:
        the same numbers as `_shape`'s, in a millisecond instead of five."""
        steps = np.asarray(steps, dtype=int)
        per_kind = []
        for kind in self.kinds:
            vecs = np.asarray(self.vecs[kind])
            k = np.minimum(steps, len(vecs) - 1)
            shown = k >= 0
            k = np.maximum(k, 0)
            heads = self.path[k].astype(np.float64)
            moves = (vecs[k] * np.float32(self.factors[kind])).astype(np.float64)  # as _shape: float32 products
            finite = shown & np.isfinite(heads).all(axis=1) & np.isfinite(vecs[k]).all(axis=1)
            x, y, mx, my = heads[:, 0], heads[:, 1], moves[:, 0], moves[:, 1]
            if kind == "box":
                xs = np.stack([x - mx, x + mx, x + mx, x - mx, x - mx], axis=1)
                ys = np.stack([y - my, y - my, y + my, y + my, y - my], axis=1)
            else:
                xs, ys = np.stack([x, x + mx], axis=1), np.stack([y, y + my], axis=1)
            xs, ys = xs.astype(np.float32), ys.astype(np.float32)
            empty = np.zeros(0, np.float32)
            per_kind.append([{"x": xs[i], "y": ys[i]} if finite[i] else {"x": empty, "y": empty} for i in range(len(steps))])
        return [[kind_items[i] for kind_items in per_kind] for i in range(len(steps))]

    def traces(self, step: int) -> list[dict]:
        traces = []
        for kind, data in zip(self.kinds, self.at(step)):
            what = "half-sides η_eff" if kind == "box" else TITLES[kind]
            trace = {
                "type": "scatter", "mode": "lines" if kind == "box" else "lines+markers", **data,
                "name": f"{TITLES[kind]} ({self.label}) ×{self.factors[kind]:.3g}",
                "meta": f"overlay:{kind}", "hoverinfo": "skip", "showlegend": True, "legendgroup": f"overlay:{kind}",
                "line": {"color": COLOURS[kind], "width": 2.5, "dash": "dot" if kind == "box" else "solid"},
                "legendrank": 2000,
            }  # fmt: skip
            if kind != "box":
                trace["marker"] = {"symbol": "arrow", "angleref": "previous", "size": [0, 12], "color": COLOURS[kind]}
            else:
                trace["name"] = f"{TITLES[kind]} ({self.label}), {what} ×{self.factors[kind]:.3g}"
            traces.append(trace)
        return traces
