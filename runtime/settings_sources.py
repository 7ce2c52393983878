"""Guarding the environment a service reads its settings from.

pydantic-settings ignores environment variables it does not know, so a
misspelt ``PROCESSORS_LINT_WROKERS`` would silently leave the default in
force. Every variable carrying the service's own prefix must therefore name
one of its settings, or the service stops at start naming the culprit. Names
of the previous release (unprefixed, e.g. ``CONSUMER_GROUP_ID``) still work
for one release, with a warning that names the new spelling.
"""

import difflib
import os
import warnings
from typing import TYPE_CHECKING, Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError

if TYPE_CHECKING:
    from runtime.settings import ServiceSettings

_NESTED = "__"
# Shared names a near miss is warned about (they carry no prefix to check against).
SHARED_NAMES = (
    "KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "NFS_SHARE_ROOT_PATH", "CONSUL_HOST", "CONSUL_PORT",
    "LOG_LEVEL", "LOG_FILE", "LOG_FILE_MAX_BYTES", "LOG_FILE_BACKUPS", "LOG_FORMAT",
    "TOPIC_PARTITIONS", "TOPIC_REPLICATION_FACTOR", "TOPIC_MIN_INSYNC_REPLICAS",
)


class SettingsError(LintServiceError, code=ErrorCode.UNKNOWN_SETTING):
    """The environment names a setting the service does not have."""


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, enough to tell a typo from an unrelated variable."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _unknown_prefixed(prefix: str, own: tuple[str, ...], environ: dict[str, str]) -> list[str]:
    known = [prefix + name.upper() for name in own]
    problems = []
    for key in sorted(k for k in environ if k.startswith(prefix)):
        head = key[len(prefix) :].split(_NESTED, 1)[0].lower()
        if head in own:
            continue
        hint = difflib.get_close_matches(key, known, n=1)
        if head.upper() in SHARED_NAMES:
            problems.append(f"{key} (shared settings carry no prefix: use {head.upper()})")
        else:
            problems.append(f"{key}" + (f" (did you mean {hint[0]}?)" if hint else ""))
    return problems


def _near_misses(environ: dict[str, str]) -> list[str]:
    misses = []
    for key in environ:
        if key in SHARED_NAMES or len(key) < len("LOG_FILE"):
            continue
        for name in SHARED_NAMES:
            if key[:3] == name[:3] and abs(len(key) - len(name)) <= 2 and _distance(key, name) <= 2:
                misses.append(f"{key} (did you mean {name}?)")
    return misses


def check_environment(cls: "type[ServiceSettings]", environ: dict[str, str] | None = None) -> None:
    """Raise :class:`SettingsError` for an unknown prefixed name; warn about near misses of shared ones."""
    env = {k.upper(): v for k, v in (os.environ if environ is None else environ).items()}
    prefix = str(cls.model_config.get("env_prefix", "")).upper()
    if prefix:
        unknown = _unknown_prefixed(prefix, cls.own_fields(), env)
        if unknown:
            raise SettingsError(f"unknown {cls.service_name} setting(s): {', '.join(unknown)}")
    for miss in _near_misses(env):
        warnings.warn(f"{cls.service_name}: environment variable {miss} is not a setting", UserWarning, 2)


class LegacyNamesSource(PydanticBaseSettingsSource):
    """The previous release's unprefixed names of a service's own settings, with a warning."""

    def __init__(self, settings_cls: type[BaseSettings], own: tuple[str, ...], prefix: str) -> None:
        super().__init__(settings_cls)
        self._own = own
        self._prefix = prefix.upper()

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: :meth:`__call__` reads the environment once for every field."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        """Values of old names whose new, prefixed name is not set."""
        env = {k.upper(): v for k, v in os.environ.items()}
        values: dict[str, Any] = {}
        for name in self._own:
            old, new = name.upper(), self._prefix + name.upper()
            nested = {k[len(old) + 2 :].lower(): v for k, v in env.items() if k.startswith(old + _NESTED)}
            if any(k == new or k.startswith(new + _NESTED) for k in env):
                continue
            if old in env:
                values[name] = env[old]
            elif nested:
                values[name] = nested
            else:
                continue
            warnings.warn(f"{old} is deprecated: set {new} instead", FutureWarning, 2)
        return values
