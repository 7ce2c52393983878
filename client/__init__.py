"""``sqllint``, the command-line client: it talks to the service only over HTTP.

It imports no service code (an import-linter contract holds it to that), so it
can be installed and run on a CI runner with nothing but the wire contracts.
"""
