"""OPERATOR_TOKEN: the operators' bootstrap credential, accepted where an operator's key would be.

Before any key exists (a fresh install, ``make run``) someone must be able to
act on workers; the token stands for the operator role of the default tenant
and is checked by the same middleware as the keys (``ingest/auth.py``), so
there is one place that decides who may act. With no token configured it
matches nothing (a forgotten setting must not open the door), and the
comparison takes the same time whatever the presented value, so the token
cannot be guessed a character at a time.
"""

import hmac

from pydantic import SecretStr

from runtime.access import Principal, Role
from schemas.events import DEFAULT_TENANT

# key_id names the credential in logs and audit the way a key's id would; it is not a key.
TOKEN_PRINCIPAL = Principal(tenant=DEFAULT_TENANT, role=Role.OPERATOR, key_id="OPERATOR_TOKEN")


def token_principal(presented: str, token: SecretStr | None) -> Principal | None:
    """The operator when ``presented`` is the configured token; None otherwise or when none is set."""
    expected = token.get_secret_value() if token is not None else ""
    if not expected:
        return None
    return TOKEN_PRINCIPAL if hmac.compare_digest(presented.encode(), expected.encode()) else None
