"""viz.palette and the landscape colour scale."""

from __future__ import annotations

import numpy as np
import pytest

import viz
from viz.colour import format_value, landscape_scale
from viz.palette import OKABE_ITO


def test_palette_is_okabe_ito_without_yellow_and_cycles():
    assert viz.palette(0) == []
    assert viz.palette(3) == ["#E69F00", "#56B4E9", "#009E73"]
    seven = viz.palette(7)
    assert len(set(seven)) == 7 and "#F0E442" not in seven
    assert viz.palette(9)[7:] == seven[:2]
    with pytest.raises(ValueError):
        viz.palette(-1)
    assert tuple(seven) == OKABE_ITO


def test_log_scale_maps_the_minimum_to_the_bottom_and_is_monotonic():
    z = np.array([[0.5, 3.0], [40.0, 2500.0]])
    scale = landscape_scale(z, log_scale=True, minimum_value=0.0)
    assert scale.floor == 0.0 and scale.transform(0.0) == pytest.approx(scale.low)
    assert scale.transform(2500.0) == pytest.approx(scale.high)
    values = np.array([0.0, 0.01, 1.0, 100.0, 2500.0])
    assert np.all(np.diff(scale.transform(values)) > 0)
    assert np.allclose(scale.untransform(scale.transform(values)), values)
    # The floor is f* when the grid misses it; values below the floor (rounding) stay at the bottom.
    shifted = landscape_scale(z + 3.0, log_scale=True, minimum_value=3.0)
    assert shifted.floor == 3.0 and shifted.transform(2.9999) == pytest.approx(shifted.low)


def test_log_ticks_are_round_values_of_f_that_do_not_overlap():
    scale = landscape_scale(np.array([[3.0, 1e6]]), log_scale=True, minimum_value=3.0)  # Goldstein-Price's range
    tickvals, ticktext = scale.ticks()
    assert ticktext[0] == "3" and ticktext[-1] == "1e6"
    assert np.all(np.diff(tickvals) >= 0.09 * (scale.high - scale.low) - 1e-12)
    assert np.allclose(scale.transform([float(t) for t in ticktext]), tickvals)


def test_format_value():
    assert [format_value(v) for v in (0, 1000.0, 2509.3, 1e6, -78.3323314, 0.0001)] == [
        "0", "1000", "2509", "1e6", "-78.33", "0.0001"]
