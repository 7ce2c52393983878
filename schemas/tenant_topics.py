"""The tenants' jobs topics: what an outside producer writes, and the job id its job then has.

Part of the public contract: an outside tenant's principal writes
``job.submitted`` events to ``<jobs topic>.tenant.<tenant>``, the only jobs
topic it may write. Its job then runs under :func:`tenant_job_id` of the id
it sent, not that id itself: ids are the producer's claim, and a tenant that
read another tenant's job id from lint-results must not be able to add files
to that job. The derivation is UUIDv5, so a producer in any language computes
the id its results and API answers carry.
"""

import re
from uuid import UUID, uuid5

TENANT_INFIX = ".tenant."
# uuid5(NAMESPACE_URL, "https://sqllint/tenant-jobs"): fixed forever, since producers compute with it.
TENANT_JOBS_NAMESPACE = UUID("3113b03f-732f-5620-b6d6-92b5a43ed12b")


def tenant_topic(jobs_topic: str, tenant: str) -> str:
    """The jobs topic only ``tenant``'s principal may write: ``sqllint.jobs.v1.tenant.acme``."""
    return f"{jobs_topic}{TENANT_INFIX}{tenant}"


def tenant_pattern(jobs_topic: str) -> str:
    """Every tenant topic of ``jobs_topic`` (the suffix as ``TenantName`` allows it)."""
    return f"^{re.escape(jobs_topic + TENANT_INFIX)}[a-z0-9][a-z0-9_-]{{0,62}}$"


def tenant_job_id(tenant: str, sent: UUID) -> UUID:
    """The id a job sent as ``sent`` on ``tenant``'s topic runs under: no tenant can name another's job."""
    return uuid5(TENANT_JOBS_NAMESPACE, f"{tenant}/{sent}")
