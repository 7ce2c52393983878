"""Who is calling: a tenant and a role, from an API key or, with authentication off, from nobody.

Shared by the ingest (which checks every request) and ``sqllint-admin``
(which makes keys), so a role means the same in both. A role is a set of
abilities rather than a rank, so the table of what each may do is the one
place to read (docs/security.md prints it).
"""

from dataclasses import dataclass
from enum import StrEnum

from schemas.events import DEFAULT_TENANT


class Role(StrEnum):
    """The roles a key can have."""

    SUBMITTER = "submitter"  # submits jobs and reads its tenant's
    READER = "reader"  # reads its tenant's jobs
    OPERATOR = "operator"  # the monitoring views and worker control
    ADMIN = "admin"  # everything, across tenants


class Ability(StrEnum):
    """What a request needs; each route names one."""

    SUBMIT = "submit"
    READ = "read"
    MONITOR = "monitor"
    CONTROL = "control"


ABILITIES: dict[Role, frozenset[Ability]] = {
    Role.SUBMITTER: frozenset({Ability.SUBMIT, Ability.READ}),
    Role.READER: frozenset({Ability.READ}),
    Role.OPERATOR: frozenset({Ability.MONITOR, Ability.CONTROL}),
    Role.ADMIN: frozenset(Ability),
}


@dataclass(frozen=True)
class Principal:
    """The caller: whose objects it sees, what it may do, and which key said so (None: anonymous)."""

    tenant: str
    role: Role
    key_id: str | None = None

    def may(self, ability: Ability) -> bool:
        """Whether this caller's role includes ``ability``."""
        return ability in ABILITIES[self.role]

    @property
    def all_tenants(self) -> bool:
        """An admin reads every tenant's objects (support); everyone else only their own."""
        return self.role is Role.ADMIN


# With AUTH_REQUIRED=false a caller without a key submits and reads as the default tenant.
ANONYMOUS = Principal(tenant=DEFAULT_TENANT, role=Role.SUBMITTER)
