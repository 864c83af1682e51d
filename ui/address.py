"""The page's address: the scene's query string written into the browser's URL bar.

`st.query_params` would do it, but Streamlit's page re-renders its whole tree whenever the
server sends it new query parameters (the frontend keeps them in the app's top-level state),
which cost about a tenth of every edit's time in Chromium, after the chart had arrived. This
element shows nothing: its few lines of JavaScript replace the address in place (the history
keeps one entry per page, not one per edit, as the Back button cannot undo an edit anyway).

What follows from it: after the first run of a session the server's `st.query_params` keep the
address the page was opened with (the frontend sends those back with every rerun). The app reads
them only on a session's first run (the scene of a link) and reads everything after that from
the session; what it sent last is `sent(elements)`, which is what the tests read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlencode

import streamlit as st

NAME = "descent_address"
KEY = "descent-address"

JS = """
export default function(component) {
  const search = component.data.query ? '?' + component.data.query : '';
  if (window.location.search !== search) {
    window.history.replaceState(window.history.state, '', window.location.pathname + search + window.location.hash);
  }
}
"""

_component = None


def query_string(query: Mapping[str, str]) -> str:
    """The query as Streamlit itself writes `st.query_params` into the address."""
    return urlencode(dict(query), doseq=True)


def show(query: Mapping[str, str], key: str = KEY) -> None:
    """Write `query` into the browser's address (an element of the page that shows nothing)."""
    global _component
    if _component is None:
        _component = st.components.v2.component(NAME, js=JS, css=".st-key-" + KEY + " { display: none; }",
                                                isolate_styles=False)  # fmt: skip
    _component(data={"query": query_string(query)}, key=key, height="content")


def sent(elements) -> dict[str, str] | None:
    """The query the page was last asked to show, from Streamlit elements (AppTest's
    `at.get("bidi_component")`, or protos); None if none was sent."""
    from urllib.parse import parse_qsl

    found = None
    for element in elements:
        proto = getattr(element, "proto", element)
        if getattr(proto, "component_name", "").endswith(NAME):
            found = dict(parse_qsl(json.loads(proto.json)["query"], keep_blank_values=True))
    return found
