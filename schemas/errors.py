"""The one exception tree of the project.

Every service raises subclasses of :class:`LintServiceError`, so a caller can
catch "anything we raised on purpose" by type, and an HTTP layer can map a
type to a status and a machine-readable code without reading message text.
"""


class LintServiceError(Exception):
    """Root of every error this project raises on purpose."""

    code: str = "INTERNAL_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class SchemaError(LintServiceError):
    """Bytes from Kafka (or a body) that are not a valid event of a known version."""

    code = "INVALID_EVENT"
