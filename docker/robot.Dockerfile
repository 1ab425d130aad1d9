# syntax=docker/dockerfile:1.7
# The robot service: `posestudio robot serve`, next to the robots (the compose profile
# `robot`, host network). Only the `robot` extra: unitree_webrtc_connect, aiortc, OpenCV;
# no pose engine. `posestudio robot simulate` runs from it too.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

FROM ${PYTHON_IMAGE} AS build
# PyAudio (which unitree_webrtc_connect pulls) compiles against PortAudio.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev portaudio19-dev \
    && rm -rf /var/lib/apt/lists/*
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
COPY --from=uv /uv /usr/local/bin/uv
WORKDIR /src
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --extra robot --no-install-project
COPY README.md ./
COPY backend/ backend/
COPY agent/ agent/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --extra robot --no-editable

FROM ${PYTHON_IMAGE} AS runtime
# PortAudio for PyAudio; libGL and GLib for OpenCV.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libportaudio2 libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 --user-group posestudio
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    POSE_STUDIO_ROBOT_PORT=8002
USER 10001:10001
WORKDIR /home/posestudio
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ['POSE_STUDIO_ROBOT_PORT'], timeout=4)"]
CMD ["posestudio", "robot", "serve"]
