# Descent: the Streamlit app in a container.
#   docker build -t descent . && docker run --rm -p 8501:8501 descent
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    JAX_PLATFORMS=cpu \
    MALLOC_ARENA_MAX=2

# curl serves the health check. Debian's versions are whatever the pinned base image ships.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# A non-root user; numeric in USER below so that the host can resolve it.
RUN groupadd --gid 10001 descent && useradd --create-home --uid 10001 --gid 10001 descent

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=descent:descent app.py ./
COPY --chown=descent:descent .streamlit ./.streamlit
COPY --chown=descent:descent datasets ./datasets
COPY --chown=descent:descent params ./params
COPY --chown=descent:descent landscapes ./landscapes
COPY --chown=descent:descent optimizers ./optimizers
COPY --chown=descent:descent descent ./descent
COPY --chown=descent:descent viz ./viz
COPY --chown=descent:descent ui ./ui
# plotly.js served by Streamlit's static serving for the map component; copied now because
# the app's folder is read-only to the user it runs as.
RUN python -m ui.live_chart

USER 10001:10001
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["curl", "--fail", "--silent", "http://localhost:8501/_stcore/health"]
ENTRYPOINT ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
