"""What each view sends to the browser: the bytes of its elements, measured through AppTest.

Every byte of a view is serialized on the server, sent, parsed and drawn by the browser on
each edit, so the views' payloads are kept small (typed arrays, a layout image, frames that
hold only the moving markers) and a test holds them to a budget.
"""

from __future__ import annotations

from collections.abc import Mapping

from ui.serve import ROOT

# The scene the budgets are stated for: the default four runs at 1000 steps.
QUERY = {"landscape": "rosenbrock", "start": "-1.5,2.0", "steps": "1000",
         "r0.optimizer": "sgd", "r0.learning_rate": "0.001",
         "r1.optimizer": "sgd", "r1.learning_rate": "0.001", "r1.momentum": "0.9",
         "r2.optimizer": "rmsprop", "r2.learning_rate": "0.01",
         "r3.optimizer": "adam", "r3.learning_rate": "0.05"}  # fmt: skip


def element_bytes(block) -> int:
    """Bytes of the protobufs of every element inside an AppTest block (nested ones too)."""
    total = 0
    for node in block:
        proto = getattr(node, "proto", None)
        if proto is not None and not hasattr(node, "children"):
            total += proto.ByteSize()
    return total


def per_view(query: Mapping[str, str] = QUERY) -> dict[str, int]:
    """{view: bytes of the main area's elements with that view open}."""
    from streamlit.testing.v1 import AppTest

    from ui import state
    from ui.views import names

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    sizes = {}
    for view in names():
        at.session_state[state.VIEW] = view
        at.run()
        if at.exception:
            raise RuntimeError(f"the {view} view raised: {at.exception[0].value}")
        sizes[view] = element_bytes(at.main)
    return sizes


def map_bytes(query: Mapping[str, str] = QUERY) -> int:
    """Bytes of the main area's elements with the map shown (the default view)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if at.exception:
        raise RuntimeError(f"the map raised: {at.exception[0].value}")
    return element_bytes(at.main)
