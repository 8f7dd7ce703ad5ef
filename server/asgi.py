"""The ASGI entry point for uvicorn: `server.asgi:app`."""

from __future__ import annotations

from server.app import create_app

app = create_app()
