"""Running the server: health checks, metrics, backups and the operator's checks.

See docs/operations.md.
"""
