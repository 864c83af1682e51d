"""The page's address: the scene's query string written into the browser's URL bar.

`st.query_params` would do it, but Streamlit's page re-renders its whole tree whenever the
server sends it new query parameters (the frontend keeps them in the app's top-level state):
in Chromium an edit took 123 ms at the median that way and 115 ms this way (the two measured
alternately in one browser, `python -m ui.bench` for the method). This
element shows nothing: its few lines of JavaScript replace the address in place (the history
keeps one entry per page, not one per edit, as the Back button cannot undo an edit anyway).

What follows from it: after the first run of a session the server's `st.query_params` keep the
address the page was opened with (the frontend sends those back with every rerun). The app reads
them only on a session's first run (the scene of a link) and reads everything after that from
the session; what it sent last is `sent(elements)`, which is what the tests read.

A page that outlives its session (the server restarted, or another replica took over behind
the load balancer) is given a new session, which starts from the link the page was opened
with; the address still holds the scene of the last edit. The element sees the new session
and hands that address back (`on_restore`), so nothing is lost.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl, urlencode

import streamlit as st

NAME = "descent_address"
KEY = "descent-address"
SESSION = "address_session"  # an id of this session, sent to the page with each address

JS = """
export default function(component) {
  const { data, setTriggerValue } = component;
  const search = data.query ? '?' + data.query : '';
  const seen = window.__descentSession;
  window.__descentSession = data.session;
  if (data.fresh && seen && seen !== data.session && window.location.search !== search) {
    setTriggerValue('restore', window.location.search.slice(1));
    return;
  }
  if (window.location.search !== search) {
    window.history.replaceState(window.history.state, '', window.location.pathname + search + window.location.hash);
  }
}
"""

_component = None


def query_string(query: Mapping[str, str]) -> str:
    """The query as Streamlit itself writes `st.query_params` into the address."""
    return urlencode(dict(query), doseq=True)


def show(query: Mapping[str, str], on_restore: Callable[[dict[str, str]], None]) -> None:
    """Write `query` into the browser's address (an element of the page that shows nothing).
    In a new session of a page already open, `on_restore` is called instead with the query
    the address holds (before the next run: it replaces the scene, which that run draws)."""
    global _component
    if _component is None:
        _component = st.components.v2.component(NAME, js=JS, css=".st-key-" + KEY + " { display: none; }",
                                                isolate_styles=False)  # fmt: skip
    fresh = SESSION not in st.session_state
    if fresh:
        st.session_state[SESSION] = uuid.uuid4().hex

    def restore() -> None:
        held = getattr(st.session_state.get(KEY), "restore", None)
        if isinstance(held, str):
            on_restore(dict(parse_qsl(held, keep_blank_values=True)))
            st.rerun()  # the whole page: the sidebar's controls show the restored scene too

    data = {"query": query_string(query), "session": st.session_state[SESSION], "fresh": fresh}
    _component(data=data, key=KEY, height="content", on_restore_change=restore)


def sent(elements) -> dict[str, str] | None:
    """The query the page was last asked to show, from Streamlit elements (AppTest's
    `at.get("bidi_component")`, or protos); None if none was sent."""
    found = None
    for element in elements:
        proto = getattr(element, "proto", element)
        if getattr(proto, "component_name", "").endswith(NAME):
            found = dict(parse_qsl(json.loads(proto.json)["query"], keep_blank_values=True))
    return found
