"""``sqllint top``: a live terminal view of the workers, the queues and the hosts, over HTTP only.

Layers, each importing only those below it: ``app`` (the textual application,
its timer and keys) > ``details`` (one worker's screen) > ``widgets`` (the
tables and panels) > ``panels`` (their text, pure) > ``data`` (one snapshot of
the ingest's monitoring API), ``columns`` > ``rates``, ``format`` (pure).
"""
