"""The processors service: expands jobs into per-file tasks and lints them with SQLFluff."""
