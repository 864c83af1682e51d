"""Charts without plotly's object layer.

`st.plotly_chart` turns a go.Figure into a dict with `to_dict()`, which deep-copies every
trace and frame; given a dict it builds (and validates) a go.Figure first. For the animated
map either costs more than the rest of a rerun. viz builds its figures as plain dicts that its
tests validate, so here the dict goes through as it is.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st


class _Prebuilt(go.Figure):
    """A Figure that hands Streamlit its ready-made dict."""

    def __init__(self, spec: dict):
        super().__init__()
        self._descent_spec = spec

    def to_dict(self) -> dict:
        return self._descent_spec


def plotly_chart(spec: dict, **kwargs):
    return st.plotly_chart(_Prebuilt(spec), **kwargs)
