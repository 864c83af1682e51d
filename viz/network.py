"""Figures of the Network page: pure functions from a trained network's numbers to plotly
figure dicts (no plotly objects, no JAX, no Streamlit; inputs duck-typed).

    result = descent.train(scenario)
    viz.network.training_curves(result)                        # loss per epoch, train and validation
    xs, ys, prob = descent.boundary(result, 0, epochs)
    viz.network.decision_boundary(result, 0, xs, ys, prob, epochs)   # animated, with Play
    cut = descent.pca_slice(result, 0)
    viz.network.slice_contour(cut), viz.network.slice_3d(cut)

`result` has `.runs[i]` (label, status, diverged_at, train_loss, val_loss, train_accuracy,
val_accuracy), `.epochs` and `.data` (x_train, y_train, x_val, y_val). A slice has kind,
alphas, betas, loss, path, path_epochs and explained (see descent.slices.LossSlice).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from viz.palette import palette

# Class colours of the data points and the probability scale: blue (0) to orange (1), both
# Okabe–Ito, with white at p = 0.5.
CLASS_COLOURS = ("#0072B2", "#E69F00")
PROBABILITY_SCALE = [[0.0, "#9ecae1"], [0.5, "#ffffff"], [1.0, "#fdd0a2"]]
LOSS_SCALE = "Viridis"
# The boundary animation keeps at most this many frames (the payload grows with each).
MAX_BOUNDARY_FRAMES = 41


def _list(a) -> list:
    """JSON-able numbers, None where not finite (plotly leaves a gap)."""
    return [float(v) if np.isfinite(v) else None for v in np.asarray(a, np.float64).ravel()]


def _grid(a) -> list:
    return [_list(row) for row in np.asarray(a)]


def _layout(title: str | None, height: int, **extra) -> dict:
    layout = {"height": height, "margin": {"l": 60, "r": 20, "t": 50 if title else 20, "b": 50},
              "template": "plotly_white", "legend": {"orientation": "h", "y": -0.2}}
    if title:
        layout["title"] = {"text": title}
    layout.update(extra)
    return layout


def training_curves(result, *, metric: str = "loss", colours: Sequence[str] | None = None,
                    visible: Sequence[bool] | None = None, title: str | None = None, height: int = 420) -> dict:
    """Per run, the training (solid) and validation (dotted) `metric` ("loss" or "accuracy")
    per epoch, epoch 0 the untrained network; a diverged run ends with "diverged at epoch k"."""
    colours = list(colours or palette(len(result.runs)))
    epochs = np.asarray(result.epochs)
    traces, annotations = [], []
    for i, run in enumerate(result.runs):
        if visible is not None and not visible[i]:
            continue
        for split, dash in (("train", "solid"), ("val", "dot")):
            values = np.asarray(getattr(run, f"{split}_{metric}"))
            if not np.isfinite(values).any():
                continue
            traces.append({
                "type": "scatter", "mode": "lines", "x": _list(epochs), "y": _list(values),
                "name": f"{run.label} ({'training' if split == 'train' else 'validation'})",
                "legendgroup": str(i), "line": {"color": colours[i], "dash": dash, "width": 2},
                "hovertemplate": "epoch %{x}<br>%{y:.4g}<extra>" + run.label + "</extra>",
            })
        if run.diverged_at is not None:
            k = max(run.diverged_at - 1, 0)
            y = np.asarray(getattr(run, f"train_{metric}"))[k]
            annotations.append({"x": int(epochs[k]), "y": float(np.log10(y)) if metric == "loss" and y > 0 else float(y),
                                "text": f"{run.label}: diverged at epoch {run.diverged_at}", "showarrow": True,
                                "font": {"color": colours[i]}})
    yaxis = {"title": {"text": "loss (BCE)" if metric == "loss" else "accuracy"}}
    if metric == "loss":
        yaxis["type"] = "log"
    else:
        yaxis["range"] = [0, 1.02]
    layout = _layout(title, height, xaxis={"title": {"text": "epoch"}}, yaxis=yaxis, annotations=annotations)
    # The legend a fixed 64 px below the plot area, clear of the x axis's title at any height
    # (a fraction of the plot area would put it on the title in a short chart).
    plot_height = height - layout["margin"]["t"] - layout["margin"]["b"]
    layout["legend"] = {**layout["legend"], "y": -64 / plot_height, "yanchor": "top"}
    return {"data": traces, "layout": layout}


def frame_epochs(snapshot_epochs: Sequence[int], limit: int = MAX_BOUNDARY_FRAMES) -> list[int]:
    """At most `limit` kept epochs, evenly spread, the first and the last included."""
    epochs = list(np.asarray(snapshot_epochs).astype(int))
    if len(epochs) <= limit:
        return epochs
    picks = np.unique(np.round(np.linspace(0, len(epochs) - 1, limit)).astype(int))
    return [epochs[i] for i in picks]


def image_extent(centres) -> list[float]:
    """[first edge, last edge] of a heatmap whose cells are centred on evenly spaced `centres`."""
    c = np.asarray(centres, np.float64)
    half = (c[-1] - c[0]) / (len(c) - 1) / 2 if len(c) > 1 else 0.5
    return [float(c[0] - half), float(c[-1] + half)]


def decision_boundary(result, run_index: int, xs, ys, prob, epochs: Sequence[int], *, start: int | None = None,
                      title: str | None = None, height: int = 520, duration_ms: int = 120) -> dict:
    """The run's P(class 1) over the plane (white at 0.5, the boundary drawn black), the
    training points (filled) and validation points (open), at `epochs[start]` (default: the
    last); frames for every epoch of `epochs` with Play / Pause and an epoch slider."""
    prob = np.asarray(prob)
    k0 = len(epochs) - 1 if start is None else start
    xs_, ys_ = _list(xs), _list(ys)

    def field(k):
        return [
            {"type": "heatmap", "x": xs_, "y": ys_, "z": _grid(prob[k]), "zmin": 0, "zmax": 1,
             "colorscale": PROBABILITY_SCALE, "colorbar": {"title": {"text": "P(class 1)"}},
             "hovertemplate": "(%{x:.2f}, %{y:.2f})<br>P = %{z:.3f}<extra></extra>"},
            {"type": "contour", "x": xs_, "y": ys_, "z": _grid(prob[k]), "showscale": False,
             "contours": {"start": 0.5, "end": 0.5, "size": 1, "coloring": "none"},
             "line": {"color": "black", "width": 2}, "hoverinfo": "skip", "name": "boundary"},
        ]

    data = result.data
    points = []
    for split, x, y, symbol in (("training", data.x_train, data.y_train, "circle"),
                                ("validation", data.x_val, data.y_val, "circle-open")):
        for cls in (0, 1):
            sel = np.asarray(y) == cls
            if not sel.any():
                continue
            points.append({"type": "scatter", "mode": "markers", "x": _list(x[sel, 0]), "y": _list(x[sel, 1]),
                           "name": f"class {cls} ({split})",
                           "marker": {"color": CLASS_COLOURS[cls], "symbol": symbol, "size": 6,
                                      "line": {"color": "white" if symbol == "circle" else CLASS_COLOURS[cls], "width": 1}}})
    run = result.runs[run_index]
    frames = [{"name": str(int(e)), "data": field(k), "traces": [0, 1],
               "layout": {"title": {"text": f"{run.label}: epoch {int(e)}"}}} for k, e in enumerate(epochs)]
    steps = [{"label": str(int(e)), "method": "animate",
              "args": [[str(int(e))], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                       "transition": {"duration": 0}}]} for e in epochs]
    play = {"frame": {"duration": duration_ms, "redraw": True}, "fromcurrent": True, "transition": {"duration": 0}}
    # The axes span the image exactly: a heatmap's cells are centred on xs and ys, so the image
    # reaches half a cell beyond them; and with one scale on both axes, plotly would widen the
    # x range to fill a wide plot area (blank strips beside the image) unless the plot area
    # itself shrinks instead ("constrain": "domain").
    layout = _layout(title or f"{run.label}: epoch {int(epochs[k0])}", height,
                     xaxis={"title": {"text": "x₁"}, "range": image_extent(xs), "constrain": "domain"},
                     yaxis={"title": {"text": "x₂"}, "range": image_extent(ys), "scaleanchor": "x",
                            "constrain": "domain"})
    layout["updatemenus"] = [{
        "type": "buttons", "direction": "left", "x": 0.0, "y": -0.12, "xanchor": "left", "yanchor": "top",
        "showactive": False,
        "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                    {"label": "❚❚ Pause", "method": "animate",
                     "args": [[None], {"mode": "immediate", "frame": {"duration": 0, "redraw": False}}]}],
    }]
    layout["sliders"] = [{"active": k0, "steps": steps, "x": 0.25, "len": 0.75, "y": -0.08,
                          "currentvalue": {"prefix": "epoch "}}]
    layout["legend"] = {"orientation": "h", "y": -0.4, "yanchor": "top"}
    layout["margin"]["b"] = 150
    return {"data": field(k0) + points, "layout": layout, "frames": frames}


def _axis_titles(cut) -> tuple[str, str]:
    if cut.kind == "pca":
        e = np.asarray(cut.explained)
        return f"PC1 ({100 * e[0]:.1f}% of the iterates' variance)", f"PC2 ({100 * e[1]:.1f}%)"
    return "α (filter-normalized direction δ)", "β (filter-normalized direction η)"


def slice_title(cut) -> str:
    if cut.kind == "pca":
        e = np.asarray(cut.explained)
        return f"Loss on the PCA plane of the iterates: the two directions explain {100 * (e[0] + e[1]):.1f}%"
    return "Loss along two filter-normalized random directions (Li et al. 2018)"


def slice_contour(cut, *, colour: str = "#D55E00", title: str | None = None, height: int = 520) -> dict:
    """The slice from above, coloured by log10(loss), the final weights at (0, 0) and, on the
    PCA plane, the trajectory projected onto it."""
    x_title, y_title = _axis_titles(cut)
    loss = np.asarray(cut.loss, np.float64)
    z = np.log10(np.maximum(loss, 1e-12))
    data = [{"type": "contour", "x": _list(cut.alphas), "y": _list(cut.betas), "z": _grid(z),
             "colorscale": LOSS_SCALE, "ncontours": 30, "contours": {"coloring": "heatmap"},
             "colorbar": {"title": {"text": "log₁₀ loss"}}, "customdata": _grid(loss),
             "hovertemplate": "(%{x:.3g}, %{y:.3g})<br>loss %{customdata:.4g}<extra></extra>"},
            {"type": "scatter", "mode": "markers", "x": [0.0], "y": [0.0], "name": "final weights",
             "marker": {"symbol": "star", "size": 14, "color": "white", "line": {"color": "black", "width": 1}}}]
    if cut.path is not None:
        path = np.asarray(cut.path)
        data.append({"type": "scatter", "mode": "lines+markers", "x": _list(path[:, 0]), "y": _list(path[:, 1]),
                     "name": "trajectory", "line": {"color": colour, "width": 2}, "marker": {"size": 4},
                     "text": [f"epoch {int(e)}" for e in cut.path_epochs], "hovertemplate": "%{text}<extra></extra>"})
    return {"data": data, "layout": _layout(title or slice_title(cut), height,
                                            xaxis={"title": {"text": x_title}}, yaxis={"title": {"text": y_title}})}


def slice_3d(cut, *, colour: str = "#D55E00", title: str | None = None, height: int = 560) -> dict:
    """The slice as a surface of log10(loss), with the projected trajectory lying on it (PCA)."""
    x_title, y_title = _axis_titles(cut)
    loss = np.asarray(cut.loss, np.float64)
    z = np.log10(np.maximum(loss, 1e-12))
    data = [{"type": "surface", "x": _list(cut.alphas), "y": _list(cut.betas), "z": _grid(z),
             "colorscale": LOSS_SCALE, "colorbar": {"title": {"text": "log₁₀ loss"}}, "showscale": True}]
    if cut.path is not None:
        path = np.asarray(cut.path)
        alphas, betas = np.asarray(cut.alphas), np.asarray(cut.betas)
        # The loss of the plane's nearest grid point, lifted a little so that the surface does not hide the line.
        j = np.clip(np.searchsorted(alphas, path[:, 0]), 0, len(alphas) - 1)
        i = np.clip(np.searchsorted(betas, path[:, 1]), 0, len(betas) - 1)
        lift = 0.015 * (np.nanmax(z) - np.nanmin(z))
        data.append({"type": "scatter3d", "mode": "lines+markers", "x": _list(path[:, 0]), "y": _list(path[:, 1]),
                     "z": _list(z[i, j] + lift), "name": "trajectory", "line": {"color": colour, "width": 5},
                     "marker": {"size": 2, "color": colour}})
    layout = _layout(title or slice_title(cut), height)
    layout["scene"] = {"xaxis": {"title": {"text": x_title}}, "yaxis": {"title": {"text": y_title}},
                       "zaxis": {"title": {"text": "log₁₀ loss"}}, "aspectratio": {"x": 1, "y": 1, "z": 0.6}}
    return {"data": data, "layout": layout}
