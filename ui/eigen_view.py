"""The quadratic view: error along each eigenvector with its theoretical rate, and the (η, β)
rate map, for the quadratic landscape (descent.quadratic has the numbers, viz.eigen the figures)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from descent import quadratic
from ui import live_chart
from viz.eigen import eigen_errors_spec, rate_map_spec
from viz.wire import compact

GRID = 80


def theories(scene) -> list[np.ndarray | None]:
    lams, _ = quadratic.eigen(scene)
    out = []
    for run in scene.runs:
        hb = quadratic.theory_of(run)
        out.append(None if hb is None else quadratic.rates(hb[0], hb[1], lams))
    return out


def draw(ctx) -> None:
    scene, result = ctx.scene, ctx.result
    if scene.landscape != "quadratic":
        st.info("This view reads the quadratic ravine's eigenvectors: choose the landscape “Quadratic ravine”.")
        return
    lams, vectors = quadratic.eigen(scene)
    inputs = ctx.figure_inputs
    shown = [i for i, v in enumerate(inputs["visible"]) if v]
    errors = [quadratic.eigen_errors(result.runs[i].path, vectors) for i in shown]
    rates = theories(scene)
    st.markdown(
        f"Eigenvalues λ₁ = 1, λ₂ = κ = {lams[1]:g}. Each run's distance to the minimum along each eigenvector "
        "(solid: e₁, dashed: e₂) and, for gradient descent and heavy-ball momentum with a constant rate, the "
        "theory (dotted): |1 − ηλ| per step, or the spectral radius of the 2×2 momentum iteration."
    )
    spec = eigen_errors_spec(errors, labels=[result.runs[i].label for i in shown], colours=[inputs["colours"][i] for i in shown],
                             lams=lams.tolist(), theory=[rates[i] for i in shown])  # fmt: skip
    live_chart.chart(live_chart.figure_json(compact(spec)), key="eigen_errors", height=spec["layout"]["height"])
    points = []
    for i in shown:
        hb = quadratic.theory_of(scene.runs[i])
        if hb is not None:
            points.append((hb[0], hb[1], result.runs[i].label, inputs["colours"][i]))
    top = max([2.0 * 2.0 / float(lams[1])] + [1.2 * p[0] for p in points])
    etas, betas = np.linspace(top / GRID, top, GRID), np.linspace(0.0, 0.99, GRID)
    rate_map = rate_map_spec(etas, betas, quadratic.rate_map(lams, etas, betas), points=points)
    best = float(np.nanmin(quadratic.rate_map(lams, etas, betas)))
    lines = [f"{label}: η = {eta:g}, β = {beta:g}, rate {quadratic.rate(eta, beta, lams):.4f}" for eta, beta, label, _ in points]
    st.markdown("**Convergence rate over (η, β)** for this κ (best on this grid "
                f"{best:.4f}; √κ−1 over √κ+1 = {(np.sqrt(lams[1]) - 1) / (np.sqrt(lams[1]) + 1):.4f}). "
                + ("; ".join(lines) if lines else "No run is plain SGD or heavy-ball with a constant rate."))  # fmt: skip
    live_chart.chart(live_chart.figure_json(compact(rate_map)), key="rate_map", height=rate_map["layout"]["height"])
