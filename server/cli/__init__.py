"""The `langso` command: its commands, its language, the demo data."""
