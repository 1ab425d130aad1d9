# syntax=docker/dockerfile:1.7
# The pose backend with the web studio. GPU hosts use the CUDA runtime base (default);
# `--build-arg BASE_IMAGE=debian:bookworm-slim` builds the same image for a CPU host.
ARG BASE_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9
ARG NODE_IMAGE=node:22.12-bookworm-slim
# The blazepose engine's torch, outside the uv lock (docs/blazepose.md): one CUDA build,
# PyPI's (its CUDA libraries come as nvidia-* wheels). A CPU host builds with
# `--build-arg TORCH_INDEX=https://download.pytorch.org/whl/cpu`.
ARG TORCH_VERSION=2.14.1
ARG TORCHVISION_VERSION=0.29.1
ARG TORCH_INDEX=https://pypi.org/simple

FROM ${UV_IMAGE} AS uv

# --- the web studio: npm ci from the lock, then the Vite build --------------------
FROM ${NODE_IMAGE} AS studio
WORKDIR /src
COPY frontend_build/package.json frontend_build/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY frontend_build/ ./
RUN npm run build

# --- Python 3.11 and the locked dependencies, in /opt (copied whole into the runtime) -
FROM ${BASE_IMAGE} AS python
ENV UV_PYTHON_INSTALL_DIR=/opt/python \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_PREFERENCE=only-managed
COPY --from=uv /uv /usr/local/bin/uv
WORKDIR /src
RUN uv python install 3.11
# Dependencies first (the slow, rarely changing layer), then the project itself.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --extra pose --extra blazepose --no-install-project
ARG TORCH_VERSION
ARG TORCHVISION_VERSION
ARG TORCH_INDEX
RUN --mount=type=cache,target=/root/.cache/uv \
    uv pip install --python /opt/venv/bin/python --index-url "${TORCH_INDEX}" \
        "torch==${TORCH_VERSION}" "torchvision==${TORCHVISION_VERSION}"
COPY README.md ./
COPY backend/ backend/
COPY agent/ agent/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --extra pose --extra blazepose --no-editable --inexact

# --- runtime: non-root, no compilers, no package caches ------------------------------
FROM ${BASE_IMAGE} AS runtime
# OpenCV (pulled in by MediaPipe) needs libGL and GLib; CA certificates for HTTPS.
# Versions come from the pinned base image's release, so they are not pinned again here.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --user-group posestudio \
    && mkdir -p /data \
    && chown posestudio:posestudio /data
COPY --from=python /opt/python /opt/python
COPY --from=python /opt/venv /opt/venv
COPY --from=studio /src/dist /app/studio
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    POSE_STUDIO_HOST=0.0.0.0 \
    POSE_STUDIO_PORT=8000 \
    POSE_STUDIO_DATA_DIR=/data \
    POSE_STUDIO_FRONTEND_DIR=/app/studio
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
# MediaPipe's models ship inside the wheel; `/ready` turns 200 once the engine has
# loaded and run its warm-up inference, which takes tens of seconds on a cold host.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/ready', timeout=4)"]
CMD ["posestudio", "serve"]
