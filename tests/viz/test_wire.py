"""viz.wire: the map's coordinates as typed arrays, exactly the float32 values of the paths."""

from __future__ import annotations

import json

import numpy as np

import descent
import viz
from viz import wire


def test_long_coordinates_travel_as_typed_arrays_and_decode_to_the_same_values():
    result = descent.run(descent.Scenario.from_json({"landscape": "rosenbrock", "start": [-1.5, 2.0], "steps": 300,
                                                     "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}}]}))  # fmt: skip
    spec = viz.trajectory_map_spec(result, descent.landscape_grid("rosenbrock", {}, 40), frame_recipe=True)
    sent = json.loads(json.dumps(wire.compact_coordinates(spec), default=lambda a: np.asarray(a).tolist()))
    path = next(i for i, t in enumerate(spec["data"]) if t.get("meta") == result.runs[0].label)
    for axis, column in (("x", 0), ("y", 1)):
        typed = sent["data"][path][axis]
        assert typed["dtype"] == "f4" and len(typed["bdata"]) == 4 * -(-301 * 4 // 3)  # 301 float32, base64
        assert np.array_equal(wire.decode(typed), result.runs[0].path[:, column])
    # short arrays (a start marker, a head) stay plain lists; the figure passed in is unchanged
    short = [(t, u) for t, u in zip(spec["data"], sent["data"]) if isinstance(t.get("x"), np.ndarray) and t["x"].size < wire.SHORT]
    assert short and all(isinstance(u["x"], list) for _, u in short)
    assert isinstance(spec["data"][path]["x"], np.ndarray)
