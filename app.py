"""Descent: watch optimizers descend 2D loss landscapes. `streamlit run app.py`."""

from ui.page import main

main()
