"""Who may act on workers: the holder of OPERATOR_TOKEN, presented as a bearer token.

Reading the monitoring views is harmless, but a control action stops or
restarts workers, so it needs the operator credential. With no token
configured nobody may act (a forgotten setting must not open the door), and
the comparison takes the same time whatever the presented value, so the
token cannot be guessed a character at a time.
"""

import hmac

from aiohttp import web
from pydantic import SecretStr

from ingest.errors import RequestRejectedError
from schemas.error_codes import ErrorCode

_SCHEME = "bearer"


def require_operator(request: web.Request, token: SecretStr | None) -> None:
    """Return when ``Authorization: Bearer <token>`` carries the token.

    FORBIDDEN (403) when no token is configured: no credential would help. UNAUTHORIZED (401)
    when the credential is missing or wrong: the client may retry with the right one.
    """
    expected = token.get_secret_value() if token is not None else ""
    if not expected:
        raise RequestRejectedError(
            ErrorCode.FORBIDDEN, "control actions are disabled: OPERATOR_TOKEN is not set"
        )
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != _SCHEME or not hmac.compare_digest(presented.strip().encode(), expected.encode()):
        raise RequestRejectedError(ErrorCode.UNAUTHORIZED, "an operator's bearer token is required")
