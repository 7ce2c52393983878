"""``python -m ingest`` runs the HTTP service."""

from ingest.main import main

main()
