"""The client is tested against a real ingest app: the ingest tests' fixtures, shared."""

from tests.ingest.conftest import client, db_url, settings, storage_root

__all__ = ["client", "db_url", "settings", "storage_root"]
