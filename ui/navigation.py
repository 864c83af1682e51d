"""The app's pages and where their navigation goes.

The links between the pages sit at the top; in lecture mode (`?lecture=1`) and in an embedded
frame (`?embed=true`) they are hidden, like the sidebar's controls: a projected or embedded
scene shows the scene only.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

TRUE = ("1", "true", "yes", "on")


def position(query: Mapping[str, str]) -> str:
    """"hidden" in lecture mode and embedded, else "top" (st.navigation's `position`)."""
    if any(str(query.get(key, "")).lower() in TRUE for key in ("lecture", "embed")):
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
