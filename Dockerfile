# syntax=docker/dockerfile:1
# paperbot as a container: `docker build -t paperbot .`; compose.yaml runs it with PostgreSQL.
# `paperbot run` applies the database migrations at start, so the image needs no separate step.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN /opt/venv/bin/pip install --no-cache-dir ".[postgres]"

FROM python:3.11-slim
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN useradd --no-log-init --create-home --uid 10001 --user-group --shell /usr/sbin/nologin paperbot
COPY --from=build /opt/venv /opt/venv
WORKDIR /home/paperbot
USER paperbot
# 8080: /healthz and /metrics; 8443: Telegram webhook mode; 3000: Slack HTTP mode
EXPOSE 8080 8443 3000
CMD ["paperbot", "run"]
