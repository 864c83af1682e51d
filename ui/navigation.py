"""The app's pages and where their navigation goes.

The links between the pages sit at the top; in lecture mode (`?lecture=1`) and in an embedded
frame (`?embed=true`) they are hidden, like the sidebar's controls: a projected or embedded
scene shows the scene only.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

TRUE = ("1", "true", "yes", "on")


# Where the 2D page keeps the scene's view options (`ui.state.OPTIONS`; `lecture` is one).
SESSION_OPTIONS = "options"


def lecture(query: Mapping[str, str], session: Mapping | None = None) -> bool:
    """Lecture mode: as the session's options say once the page has read its link (the buttons
    change it there; the server's `st.query_params` keep the address the page was opened with,
    see ui.address), else as the link says."""
    options = (session or {}).get(SESSION_OPTIONS)
    if options is not None:
        return bool(options.lecture)
    return str(query.get("lecture", "")).lower() in TRUE


def position(query: Mapping[str, str], session: Mapping | None = None) -> str:
    """"hidden" in lecture mode and embedded, else "top" (st.navigation's `position`)."""
    if lecture(query, session) or str(query.get("embed", "")).lower() in TRUE:
        return "hidden"
    return "top"


def pages() -> list:
    from ui import malloc
    from ui.page import main

    malloc.limit_arenas()  # once per process is enough; calling it again changes nothing

    return [st.Page(main, title="2D landscapes", default=True),
            st.Page(network, title="Network", url_path="network")]


def network() -> None:
    """The Network page, imported when first opened: a first visit to the 2D page (every new
    server's first page) does without its modules."""
    from ui import network_page

    network_page.main()
