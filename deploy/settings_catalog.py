"""Every environment variable the three services read, derived from their settings classes.

The classes are the only source: a setting added to a service appears in the
check and in ``docs/settings.md`` without anyone editing a list. Nested
settings (``TOPICS__JOBS``, ``INGEST_ZIP_LIMITS__MAX_ENTRIES``) are listed
member by member, because that is how an operator spells them.
"""

import difflib
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from ingest.settings import IngestSettings
from processors.settings import ProcessorSettings
from runtime.settings import ServiceSettings, setting_names
from sink.settings import SinkSettings

SERVICES: tuple[type[ServiceSettings], ...] = (IngestSettings, ProcessorSettings, SinkSettings)
# Read by the OpenTelemetry exporter itself (runtime/telemetry/tracing.py), not by a settings class.
LIBRARY_PREFIXES = ("OTEL_",)
NESTED = "__"


@dataclass(frozen=True)
class Setting:
    """One variable: the field behind it and the services that read it."""

    name: str
    field: FieldInfo
    services: tuple[str, ...]
    parent: FieldInfo | None = None

    @property
    def secret(self) -> bool:
        """Secrets never go in config/*.env: they come from a Secret or the process environment."""
        extra = self.field.json_schema_extra
        marked = isinstance(extra, dict) and extra.get("secret") is True
        return marked or SecretStr in getattr(self.field.annotation, "__args__", (self.field.annotation,))


def nested_model(field: FieldInfo) -> type[BaseModel] | None:
    """The model a field's variable is spelt member by member for (``NAME__MEMBER``), if any."""
    annotation = field.annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _members(name: str, field: FieldInfo) -> list[tuple[str, FieldInfo, FieldInfo | None]]:
    model = nested_model(field)
    if model is None:
        return [(name, field, None)]
    return [(f"{name}{NESTED}{member.upper()}", sub, field) for member, sub in model.model_fields.items()]


@cache
def catalog() -> dict[str, Setting]:
    """Variable name → setting, over every service, sorted by name."""
    readers: dict[str, list[str]] = {}
    fields: dict[str, tuple[FieldInfo, FieldInfo | None]] = {}
    for cls in SERVICES:
        for name, field in setting_names(cls).items():
            for member, sub, parent in _members(name, field):
                readers.setdefault(member, []).append(cls.service_name)
                fields.setdefault(member, (sub, parent))
    settings = {}
    for name in sorted(readers):
        field, parent = fields[name]
        settings[name] = Setting(name, field, tuple(readers[name]), parent)
    return settings


def secret_names() -> tuple[str, ...]:
    """The variables that must come from a Secret (or the process environment), never a file."""
    return tuple(name for name, setting in catalog().items() if setting.secret)


def per_pod_names() -> tuple[str, ...]:
    """Variables each service's pod sets for itself (its Kafka principal): given like secrets, by name."""
    return tuple(
        name for name, setting in catalog().items()
        if isinstance(extra := setting.field.json_schema_extra, dict) and extra.get("per_pod") is True
    )


def is_known(name: str) -> bool:
    """A variable some service (or the tracing library) reads; free-form dict members count."""
    if name in catalog() or name.startswith(LIBRARY_PREFIXES):
        return True
    head = name.split(NESTED, 1)[0]
    setting = catalog().get(head)
    free_form = setting is not None and getattr(setting.field.annotation, "__origin__", None) is dict
    return NESTED in name and free_form


def nearest(name: str) -> str | None:
    """The real variable an unknown one most likely meant, for the message."""
    found = difflib.get_close_matches(name, list(catalog()), n=1, cutoff=0.6)
    return found[0] if found else None
