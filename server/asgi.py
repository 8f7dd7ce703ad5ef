"""The ASGI entry point for uvicorn: `server.asgi:app`."""

from __future__ import annotations

import gc

from server.app import create_app

app = create_app(periodic=True)  # with the timed work: data request reminders, the retention sweep

# Serving, not testing: everything loaded so far lives as long as the process, so the cyclic
# garbage collector stops scanning it (`freeze`), and it runs after 50,000 new container
# objects instead of 700: a sync push makes tens of thousands of short-lived ones, which
# reference counting frees anyway. This took ~6% of the CPU of a push of 50 (bench/sync.py).
gc.freeze()
gc.set_threshold(50_000, 20, 100)
