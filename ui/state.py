"""The session's scene in `st.session_state`, and the keys its widgets use.

The scene (a validated Scenario plus view Options) is the one source of truth between
reruns. Widgets are keyed by a generation number: replacing the whole scene (a lesson, a
loaded file, a new landscape) bumps it, so every widget is created afresh from the new scene
instead of keeping stale values. Runs have stable ids, so adding or removing one run leaves the
others' widgets alone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NoReturn

import streamlit as st

from descent import Scenario
from ui import links
from ui.links import Options
from ui.navigation import SESSION_OPTIONS

SCENE = "scene"
OPTIONS = SESSION_OPTIONS
RUN_IDS = "run_ids"
NEXT_ID = "next_run_id"
GENERATION = "generation"
WARNINGS = "link_warnings"
EXPANDED = "expanded_run"
NOTICE = "notice"  # a one-line message for the next rerun (e.g. a rejected upload)
VIEW = "view_tab"

# Parts of the page that rerun alone (`st.fragment` keys). An edit reruns the views, the share
# box (its link is the scene's) and the controls whose drawing it changes, not the whole page:
# the sidebar's other controls are neither rebuilt on the server nor redrawn in the browser.
VIEWS_PART = "views"
SHARE_PART = "share"
LANDSCAPE_PART = "landscape"
START_PART = "start"
RUNS_PART = "runs"
NOISE_NOTE_PART = "noise_note"  # the sentence under the noise settings
OVERLAYS_PART = "overlays"  # the overlay toggles below the map
SIDEBAR_PARTS = (SHARE_PART, LANDSCAPE_PART, START_PART, RUNS_PART)
# The run names the overlay toggles were drawn with (None while they are not on the page).
OVERLAY_LABELS = "overlay_labels"


def run_names() -> list[str]:
    """The runs as selects of runs and the editors' titles name them (ui.run_editor.run_name)."""
    from ui.run_editor import run_name

    return [run_name(run, i) for i, run in enumerate(scene().runs)]


def init() -> None:
    """On a session's first run: the scene from the URL (leniently), with its warnings."""
    if SCENE in st.session_state:
        return
    parsed = links.parse(st.query_params.to_dict())
    st.session_state[SCENE] = parsed.scenario
    st.session_state[OPTIONS] = parsed.options
    st.session_state[WARNINGS] = parsed.warnings
    st.session_state[RUN_IDS] = list(range(len(parsed.scenario.runs)))
    st.session_state[NEXT_ID] = len(parsed.scenario.runs)
    st.session_state[GENERATION] = 0
    st.session_state[VIEW] = parsed.options.view


def scene() -> Scenario:
    return st.session_state[SCENE]


def options() -> Options:
    return st.session_state[OPTIONS]


def set_options(**changes) -> None:
    st.session_state[OPTIONS] = replace(options(), **changes)


def key(name: str) -> str:
    """A widget key for this generation."""
    return f"g{st.session_state[GENERATION]}:{name}"


def run_key(run_id: int, name: str) -> str:
    return f"g{st.session_state[GENERATION]}:r{run_id}:{name}"


def new_run_id() -> int:
    run_id = st.session_state[NEXT_ID]
    st.session_state[NEXT_ID] = run_id + 1
    return run_id


def replace_scene(scenario: Scenario, new_options: Options | None = None) -> None:
    """A whole new scene: fresh run ids and a new widget generation."""
    st.session_state[SCENE] = scenario
    if new_options is not None:
        st.session_state[OPTIONS] = new_options
    st.session_state[RUN_IDS] = [new_run_id() for _ in scenario.runs]
    st.session_state[GENERATION] += 1
    st.session_state[VIEW] = options().view


SHARE_OPEN = "share_open"


def refresh(*parts: str) -> NoReturn:
    """End a widget callback: rerun the views and `parts`, and the share box if it is open (its
    link and files are the scene's), nothing else. (The sidebar's parts do not exist in lecture
    mode, which hides it.)"""
    share = (SHARE_PART,) if st.session_state.get(SHARE_OPEN) else ()
    drawn = st.session_state.get(OVERLAY_LABELS)
    stale = drawn is not None and drawn != run_names()
    overlays = (OVERLAYS_PART,) if stale or OVERLAYS_PART in parts else ()
    sidebar = () if options().lecture else (*share, *(p for p in parts if p != OVERLAYS_PART))
    st.rerun(scope=[VIEWS_PART, *dict.fromkeys(sidebar), *overlays])


def notice(message: str) -> None:
    st.session_state[NOTICE] = message


def take_notice() -> str | None:
    return st.session_state.pop(NOTICE, None)
