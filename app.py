"""Descent: watch optimizers descend 2D loss landscapes, and train a small network. `streamlit run app.py`."""

import streamlit as st

from ui import live_chart, navigation

live_chart.preload()  # before the pages import JAX: the browser loads plotly.js meanwhile
st.navigation(navigation.pages(), position=navigation.position(st.query_params, st.session_state)).run()
