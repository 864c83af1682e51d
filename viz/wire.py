"""A figure dict as plotly.js receives it: numeric arrays as compact typed arrays.

plotly.js (2.28 and later) reads `{"dtype": "f4", "bdata": <base64>}` wherever it takes a data
array, which is also what plotly.py writes for a go.Figure. The map is built as a plain dict for
speed (viz.trajectory_map explains why), and a plain dict's numpy arrays would otherwise be
written out as decimal lists: a float32 −1.9 becomes "-1.899999976158142", 18 characters where
a typed array spends 5⅓. On the 4 × 1000-step map that is most of its bytes, and every byte is
sent, parsed and held by the browser on each redraw.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

# numpy dtype → plotly.js typed-array name (little-endian, as base64 of the raw bytes).
_TYPED = {
    np.dtype("float32"): "f4",
    np.dtype("float64"): "f8",
    np.dtype("int8"): "i1",
    np.dtype("uint8"): "u1",
    np.dtype("int16"): "i2",
    np.dtype("uint16"): "u2",
    np.dtype("int32"): "i4",
    np.dtype("uint32"): "u4",
}


def typed_array(array: np.ndarray) -> dict | list:
    """One array in plotly.js's typed-array form (1-D, or 2-D with its "shape" as plotly.py
    writes it, e.g. a surface's z; int64 narrowed to int32 when it fits)."""
    array = np.asarray(array)
    if array.dtype == np.int64 and (array.size == 0 or np.abs(array).max() < 2**31):
        array = array.astype(np.int32)
    kind = _TYPED.get(array.dtype)
    if kind is None or array.ndim not in (1, 2):
        return array.tolist()  # strings, booleans, nested: plain JSON
    data = np.ascontiguousarray(array, array.dtype.newbyteorder("<"))
    typed = {"dtype": kind, "bdata": base64.b64encode(data.tobytes()).decode("ascii")}
    if array.ndim == 2:
        typed["shape"] = f"{array.shape[0]}, {array.shape[1]}"
    return typed


def compact(value: Any) -> Any:
    """`value` with every numpy array inside it (dicts, lists, tuples) as a typed array; other
    values unchanged. The figure dict passed in is not modified."""
    if isinstance(value, np.ndarray):
        return typed_array(value)
    if isinstance(value, dict):
        return {key: compact(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [compact(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def decode(value: Any) -> Any:
    """The inverse for one array: a typed-array dict (with its "shape", for 2-D arrays as
    plotly.py writes them) back to a numpy array; any other value unchanged."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        dtype = {name: dtype for dtype, name in _TYPED.items()}[value["dtype"]]
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype.newbyteorder("<")).astype(dtype)
        shape = value.get("shape")
        if shape:
            array = array.reshape([int(n) for n in str(shape).split(",")] if isinstance(shape, str) else shape)
        return array
    return value


def expand(value: Any) -> Any:
    """`value` with every typed-array dict inside it decoded to a numpy array (the reverse of
    `compact`, e.g. for a go.Figure's `to_dict()`, which plotly.py writes with typed arrays)."""
    if isinstance(value, dict):
        decoded = decode(value)
        if decoded is not value:
            return decoded
        return {key: expand(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [expand(item) for item in value]
    return value


# Arrays shorter than this stay decimal lists: a typed array's base64 costs more than a few numbers.
SHORT = 16


def compact_coordinates(spec: dict) -> dict:
    """`spec` (a figure dict) with each trace's x and y of SHORT numbers or more as typed arrays,
    and the rest as it was (the traces are copied, `spec` is not modified): the map's paths,
    the most of its bytes, travel at 5⅓ characters a coordinate instead of about 11."""
    data = []
    for trace in spec.get("data", []):
        trace = dict(trace)
        for axis in ("x", "y"):
            values = trace.get(axis)
            if isinstance(values, np.ndarray) and values.ndim == 1 and values.size >= SHORT:
                trace[axis] = typed_array(values)
        data.append(trace)
    return {**spec, "data": data}
