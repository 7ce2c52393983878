"""The web page served at ``/``: static files written here, and the handler that serves them.

Nothing on the page comes from another host and nothing is built: plain
HTML, CSS and JavaScript, with SQLFluff's dialects and rules written into the
page once per app (:mod:`ingest.web.page`).
"""
