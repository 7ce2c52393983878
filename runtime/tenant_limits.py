"""What one tenant may use: request rate, unfinished jobs, bytes a day, lint-seconds a job.

Limits are per tenant so that one busy team cannot take the service from the
others; the table is configuration (``TENANT_LIMITS__*``), read by the ingest
(rate, active jobs, bytes) and the processors (lint-seconds), so both answer
the same for the same tenant.
"""

from pydantic import BaseModel, ConfigDict, Field

GIB = 1024**3


class TenantLimits(BaseModel):
    """One tenant's limits; the defaults suit a team's CI sending a few jobs a second."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requests_per_second: float = Field(20.0, gt=0, description="Sustained API requests per second.")
    burst: int = Field(40, ge=1, description="Requests allowed at once above the sustained rate.")
    max_active_jobs: int = Field(20, ge=1, description="Jobs accepted but not yet final, at most.")
    max_bytes_per_day: int = Field(10 * GIB, ge=1, description="Source bytes submitted per UTC day.")
    lint_seconds_per_job: float = Field(
        3600.0, gt=0, description="Lint-process seconds one job may use; its files past that fail."
    )


class TenantLimitTable(BaseModel):
    """The default limits, and the tenants that have others (only the fields they change)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: TenantLimits = Field(default_factory=TenantLimits)
    tenants: dict[str, dict[str, float]] = Field(
        default_factory=dict, description='Per-tenant changes, JSON: {"acme": {"max_active_jobs": 50}}.'
    )

    def model_post_init(self, context: object, /) -> None:
        """A misspelt field in an override stops the service at start, not at that tenant's first job."""
        for tenant in self.tenants:
            self.for_tenant(tenant)

    def for_tenant(self, tenant: str) -> TenantLimits:
        """The limits of ``tenant``: the default with its changes applied."""
        overrides = self.tenants.get(tenant)
        if not overrides:
            return self.default
        return TenantLimits.model_validate(self.default.model_dump() | overrides)
