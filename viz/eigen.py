"""The quadratic as Distill's "Why Momentum Really Works" draws it: each run's error along each
eigenvector over the steps (log scale) with the theoretical rate, and the convergence rate over
(η, β) with the runs' own (η, β) marked. Pure dict builders (numbers from descent.quadratic).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DASH = ("solid", "dash")  # along e₁ (λ = 1), along e₂ (λ = κ)
MAX_POINTS = 2000


def eigen_errors_spec(
    errors: Sequence[np.ndarray],
    *,
    labels: Sequence[str],
    colours: Sequence[str],
    lams: Sequence[float],
    theory: Sequence[np.ndarray | None],
    height: int = 420,
) -> dict:
    """Per run, |⟨p_k, eᵢ⟩| for both eigenvectors (log y), and where the run has a closed-form
    rate rᵢ (gradient descent, heavy ball) the line |⟨p_0, eᵢ⟩|·rᵢ^k, dotted."""
    data = []
    for run, (err, label, colour, rate) in enumerate(zip(errors, labels, colours, theory)):
        n = len(err)
        idx = np.arange(n) if n <= MAX_POINTS else np.unique(np.append(np.arange(0, n, -(-n // MAX_POINTS)), n - 1))
        for i in range(2):
            name = f"{label}: along e{i + 1} (λ = {lams[i]:g})"
            data.append({
                "type": "scatter", "mode": "lines", "x": idx.astype(np.int32), "y": np.maximum(err[idx, i], 1e-30).astype(np.float32),
                "name": name, "meta": f"error:{run}:{i}", "legendgroup": label,
                "line": {"color": colour, "dash": DASH[i], "width": 2},
            })  # fmt: skip
            if rate is not None and n:
                expected = float(err[0, i]) * float(rate[i]) ** idx.astype(float)
                data.append({
                    "type": "scatter", "mode": "lines", "x": idx.astype(np.int32), "y": np.maximum(expected, 1e-30).astype(np.float32),
                    "name": f"{label}: theory, rate {float(rate[i]):.4g} along e{i + 1}", "meta": f"theory:{run}:{i}",
                    "legendgroup": label, "line": {"color": colour, "dash": "dot", "width": 1},
                })  # fmt: skip
    layout = {
        "height": height, "margin": {"l": 70, "r": 20, "t": 30, "b": 50},
        "xaxis": {"title": {"text": "step k"}},
        "yaxis": {"type": "log", "title": {"text": "|error along eigenvector|"}, "exponentformat": "power"},
        "legend": {"orientation": "h", "y": -0.2},
    }  # fmt: skip
    return {"data": data, "layout": layout}


def rate_map_spec(
    etas: np.ndarray,
    betas: np.ndarray,
    rates: np.ndarray,
    *,
    points: Sequence[tuple[float, float, str, str]] = (),
    height: int = 420,
) -> dict:
    """The convergence rate max ρ over (η, β) (β = 0 is gradient descent); above 1 diverges,
    drawn grey (a gap over the grey background). `points`: (η, β, label, colour) of each run, marked."""
    shown = np.where(rates < 1.0, rates, np.nan)
    data = [{
        "type": "heatmap", "x": np.asarray(etas, np.float32), "y": np.asarray(betas, np.float32),
        "z": _rows(shown), "zmin": 0.0, "zmax": 1.0,
        "colorscale": "Viridis", "reversescale": True, "colorbar": {"title": {"text": "rate"}}, "name": "rate",
        "hovertemplate": "η = %{x:.4g}<br>β = %{y:.3g}<br>rate %{z:.4f}<extra></extra>", "meta": "rate map",
    }]  # fmt: skip
    for eta, beta, label, colour in points:
        data.append({
            "type": "scatter", "mode": "markers", "x": [eta], "y": [beta], "name": label, "meta": f"point:{label}",
            "marker": {"color": colour, "size": 14, "symbol": "x", "line": {"color": "#ffffff", "width": 2}},
        })  # fmt: skip
    layout = {
        "height": height, "margin": {"l": 70, "r": 20, "t": 30, "b": 50}, "plot_bgcolor": "#cccccc",
        "xaxis": {"title": {"text": "learning rate η"}}, "yaxis": {"title": {"text": "momentum β"}},
        "annotations": [{"text": "grey: diverges (rate ≥ 1)", "showarrow": False, "xref": "paper", "yref": "paper",
                         "x": 1, "y": 1.06, "xanchor": "right"}],
    }  # fmt: skip
    return {"data": data, "layout": layout}


def _rows(values: np.ndarray) -> list[list[float | None]]:
    """A 2-D array as rows of 4-decimal numbers (None where not finite): typed arrays are 1-D
    only (viz.wire), and float32 written in full takes 18 characters a value."""
    return [[round(float(v), 4) if np.isfinite(v) else None for v in row] for row in values]
