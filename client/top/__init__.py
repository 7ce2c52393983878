"""``sqllint top``: a live terminal view of the workers, the queues and the hosts, over HTTP only.

Layers, each importing only those below it: ``app`` (the textual application
and its keys) > ``widgets`` (what each panel shows) > ``data`` (one snapshot
of the ingest's monitoring API) > ``columns``, ``rates``, ``format`` (pure).
"""
