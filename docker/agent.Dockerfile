# syntax=docker/dockerfile:1.7
# The agent service: `posestudio agent serve` (the API, default) and
# `posestudio agent worker` (its RQ worker) run from this one image.
# Only the `agent` extra is installed: no MediaPipe, OpenCV or torch.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

FROM ${PYTHON_IMAGE} AS build
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
COPY --from=uv /uv /usr/local/bin/uv
WORKDIR /src
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --extra agent --no-install-project
COPY README.md ./
COPY backend/ backend/
COPY agent/ agent/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --extra agent --no-editable

FROM ${PYTHON_IMAGE} AS runtime
RUN useradd --create-home --uid 10001 --user-group posestudio
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    POSE_STUDIO_AGENT_HOST=0.0.0.0 \
    POSE_STUDIO_AGENT_PORT=8001
USER 10001:10001
WORKDIR /home/posestudio
EXPOSE 8001
# The worker overrides this in compose with a Redis check of its own.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8001/agent/health', timeout=4)"]
CMD ["posestudio", "agent", "serve"]
