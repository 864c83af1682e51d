"""The quadratic ravine as Distill's "Why Momentum Really Works" (Goh, 2017) reads it.

On f = ½(u² + κv²) the Hessian has eigenvalues λ₁ = 1 along u = (cos θ, sin θ) and λ₂ = κ along
v = (−sin θ, cos θ), and the minimum is the origin, so the error along eigenvector i is the
point's coordinate ⟨p, eᵢ⟩. Each coordinate evolves on its own:

* gradient descent: xᵢ ← (1 − ηλᵢ)xᵢ, rate |1 − ηλᵢ|;
* heavy-ball momentum (SGD with momentum β in every flavour, constant η):
  xᵢ ← xᵢ − ηλᵢxᵢ + β(xᵢ − xᵢ₋₁), the 2×2 iteration [[1 + β − ηλᵢ, −β], [1, 0]], whose spectral
  radius is the rate: √β where the eigenvalues are complex (the critically damped and
  oscillating regime), the larger root of z² − (1 + β − ηλ)z + β otherwise.

The run's rate is the largest over i. `rate_map` gives it over an (η, β) grid in one jitted call.
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np

from descent import engine
from descent.errors import ScenarioError
from descent.runner import as_scenario
from descent.scenario import Scenario


def eigen(scenario: Scenario | Mapping) -> tuple[np.ndarray, np.ndarray]:
    """(λ (2,), eigenvectors as rows (2, 2)) of the scenario's quadratic, float32."""
    scenario = as_scenario(scenario)
    if scenario.landscape != "quadratic":
        raise ScenarioError("landscape", f"the eigen view needs the quadratic landscape, got {scenario.landscape!r}")
    params = scenario.resolved_landscape_params()
    theta = np.deg2rad(params["angle"])
    vectors = np.asarray([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]], np.float32)
    return np.asarray([1.0, params["kappa"]], np.float32), vectors


def eigen_errors(path: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """(n, 2): |⟨p_k, eᵢ⟩|, the distance to the minimum along each eigenvector at each step."""
    return np.abs(np.asarray(path, np.float32) @ np.asarray(vectors, np.float32).T)


@jax.jit
def _rates(eta, beta, lams):
    engine._traces[("quadratic rates",)] += 1
    # z² − (1 + β − ηλ)z + β = 0; broadcast η, β against λ on the last axis.
    trace = 1.0 + beta[..., None] - eta[..., None] * lams
    det = beta[..., None] * jnp.ones_like(lams)
    disc = trace * trace - 4.0 * det
    real_roots = jnp.maximum(jnp.abs((trace + jnp.sqrt(jnp.maximum(disc, 0.0))) / 2.0),
                             jnp.abs((trace - jnp.sqrt(jnp.maximum(disc, 0.0))) / 2.0))  # fmt: skip
    radius = jnp.where(disc < 0.0, jnp.sqrt(det), real_roots)
    return radius  # (..., len(λ))


def rates(eta, beta, lams) -> np.ndarray:
    """Per-eigenvalue rates of heavy-ball momentum (β = 0: gradient descent, |1 − ηλ|), float32.

    `eta`, `beta` broadcast together; the result has a last axis over `lams`.
    """
    eta, beta = np.broadcast_arrays(np.asarray(eta, np.float32), np.asarray(beta, np.float32))
    return np.asarray(_rates(eta, beta, np.asarray(lams, np.float32)))


def rate(eta: float, beta: float, lams) -> float:
    """The convergence rate: the largest per-eigenvalue rate."""
    return float(rates(eta, beta, lams).max())


def rate_map(lams, etas: np.ndarray, betas: np.ndarray) -> np.ndarray:
    """(len(betas), len(etas)): the rate at each (η, β) of the grid."""
    e, b = np.meshgrid(np.asarray(etas, np.float32), np.asarray(betas, np.float32))
    return rates(e, b, lams).max(axis=-1)


def theory_of(run) -> tuple[float, float] | None:
    """(η, β) when a run is plain gradient descent or heavy-ball momentum with a constant rate
    (SGD without Nesterov or weight decay, no schedule), None otherwise (no closed form here)."""
    if run.optimizer != "sgd" or run.schedule.name != "constant":
        return None
    hp = run.resolved_hparams()
    if hp.get("nesterov") or hp.get("weight_decay", 0.0):
        return None
    return float(hp["learning_rate"]), float(hp["momentum"])


def measured_rate(errors: np.ndarray, first: int, last: int) -> np.ndarray:
    """Per eigenvector: the geometric mean of the error's ratio per step between two steps."""
    e0, e1 = errors[first].astype(np.float64), errors[last].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (e1 / e0) ** (1.0 / (last - first))


__all__ = ["eigen", "eigen_errors", "measured_rate", "rate", "rate_map", "rates", "theory_of"]
