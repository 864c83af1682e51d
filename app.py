"""Descent: watch optimizers descend 2D loss landscapes, and train a small network. `streamlit run app.py`."""

import streamlit as st

from ui import network_page
from ui.page import main

st.navigation([st.Page(main, title="2D landscapes", default=True),
               st.Page(network_page.main, title="Network", url_path="network")], position="top").run()
