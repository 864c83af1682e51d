"""Descent: watch optimizers descend 2D loss landscapes, and train a small network. `streamlit run app.py`."""

import streamlit as st

from ui import navigation

st.navigation(navigation.pages(), position=navigation.position(st.query_params)).run()
