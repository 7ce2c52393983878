"""Report formats: one job's results as the tools users already read them (SARIF, JUnit, ...).

Pure functions of the result records, shared by the ingest (``?format=``) and
the ``sqllint`` client, so both print the same bytes for the same results.
"""
