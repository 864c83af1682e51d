"""The app in a real Chromium: Streamlit served on a free port, driven through Playwright."""
