# zoom-rooms-mcp: the MCP server over streamable HTTP (http://0.0.0.0:8000/mcp, health check at /healthz).
#
#   docker build -t zoom-rooms-mcp .
#   docker run --rm -p 8000:8000 -e ZOOM_ACCOUNT_ID -e ZOOM_CLIENT_ID -e ZOOM_CLIENT_SECRET \
#       -e ZOOM_ROOMS_MCP_HTTP_TOKEN zoom-rooms-mcp
#
# No credentials are baked in: pass them at run time. Listening on 0.0.0.0 requires ZOOM_ROOMS_MCP_HTTP_TOKEN
# (the server exits with status 2 without it). Behind a proxy, add the public name with
# -e ZOOM_ROOMS_MCP_ALLOWED_HOSTS=mcp.example.com. See docs/clients.md.

FROM python:3.11-slim AS build
# Optional extras, e.g. --build-arg EXTRAS='[postgres]' for a PostgreSQL fleet store (compose.yaml does).
ARG EXTRAS=""
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY src ./src
# A virtualenv that the runtime stage copies whole; constraints.txt pins the tested dependency versions.
RUN python -m venv /opt/zoom-rooms-mcp \
    && /opt/zoom-rooms-mcp/bin/pip install -c constraints.txt ."${EXTRAS}" \
    && /opt/zoom-rooms-mcp/bin/zoom-rooms-mcp --version

FROM python:3.11-slim
LABEL org.opencontainers.image.title="zoom-rooms-mcp" \
      org.opencontainers.image.description="Read-only MCP server for inspecting a Zoom Rooms fleet" \
      org.opencontainers.image.source="https://github.com/zoom-rooms-mcp/zoom-rooms-mcp" \
      org.opencontainers.image.licenses="MIT"
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home --shell /usr/sbin/nologin app
COPY --from=build /opt/zoom-rooms-mcp /opt/zoom-rooms-mcp
ENV PATH=/opt/zoom-rooms-mcp/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TOKEN_CACHE_DIR=/home/app/.cache/zoom-rooms-mcp
USER app
WORKDIR /home/app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["zoom-rooms-mcp"]
CMD ["serve", "--transport", "http", "--host", "0.0.0.0", "--port", "8000"]
