"""The sink service: materialises the pipeline's events into the jobs/tasks tables.

It is the only writer of statuses and results, and the only owner of the
schema (through the Alembic migrations in ``sink/migrations``).
"""
