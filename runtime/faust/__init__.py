"""The Faust runtime kit: what every Faust service of the pipeline runs on.

The processors and the sink differ only in their agents and their own logic;
how an app is configured, started (resources before agents), run from the
command line, how it produces events, parks bad messages and serves metrics
is the platform's business and lives here once. Nothing here imports a service.
"""
