"""``python -m processors`` runs the expand and lint worker."""

from processors.main import main

main()
