# crisisbot: `crisisbot serve` (Slack endpoint, monitor webhooks, scheduler) on port 3000.
# Configuration comes from the environment (see README.md and docs/deploy.md).

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY bot ./bot
COPY playbooks ./playbooks
COPY samples ./samples
COPY slack ./slack
RUN pip install --no-cache-dir .

FROM python:3.11-slim-bookworm
RUN groupadd --system --gid 10001 crisisbot \
 && useradd --system --uid 10001 --gid crisisbot --home-dir /app --shell /usr/sbin/nologin crisisbot \
 && mkdir -p /app/data \
 && chown crisisbot:crisisbot /app/data
COPY --from=build /opt/venv /opt/venv
COPY playbooks /app/playbooks
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CRISISBOT_PLAYBOOKS=/app/playbooks \
    CRISISBOT_DATABASE_URL=sqlite:////app/data/crisisbot.db
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status != 200)"]
CMD ["crisisbot", "serve", "--host", "0.0.0.0", "--port", "3000"]
