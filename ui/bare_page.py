"""A bare Streamlit page: one number input and one Plotly chart of 4×2000 points.

The baseline the lecture hall compares the app with (`python -m ui.loadtest --script
ui/bare_page.py`): what Streamlit itself costs per session and per edit, with nothing of
Descent's in it. The four lines depend on the number, so every edit sends a new chart.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

POINTS = 2000
LINES = 4

start = st.number_input("Start x", value=-1.5, min_value=-1e4, max_value=1e4, step=0.1, format="%g")

t = np.linspace(0.0, 1.0, POINTS)
figure = go.Figure()
for k in range(LINES):
    decay = np.exp(-(k + 1) * 3.0 * t)
    x = start * decay * np.cos(6.0 * np.pi * t + k)
    y = 2.0 * decay * np.sin(6.0 * np.pi * t + k)
    figure.add_trace(go.Scatter(x=x, y=y, mode="lines", name=f"line {k + 1}"))
figure.update_layout(height=600, margin=dict(l=10, r=10, t=30, b=10))
st.plotly_chart(figure)
