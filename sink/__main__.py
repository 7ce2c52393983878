"""``python -m sink`` runs the sink worker."""

from sink.main import main

main()
