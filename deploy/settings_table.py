"""``docs/settings.md``: every variable of every service, generated so it cannot drift from the code."""

import json
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from deploy.settings_catalog import Setting, catalog

_NOISE = ("typing.", "pathlib.", "pydantic.types.")
HEADER = """# Settings

Generated from the services' settings classes (`python -m deploy settings-table > docs/settings.md`);
a test fails when it is stale. Shared names carry no prefix; a service's own names carry `INGEST_`,
`PROCESSORS_` or `SINK_`, and an unknown prefixed name stops that service at start. Nested members are
spelt `NAME__MEMBER`; lists and dicts are JSON. Each environment's non-secret values live in
`config/<env>.env`; secrets come from each service's own Secret (`sqllint-<service>-secrets`) or the
process environment, never a file in the repository. Check an environment with
`python -m deploy config check <dev|staging|production>`.

| variable | read by | type | default | secret | meaning |
|---|---|---|---|---|---|
"""
FOOTER = """
Tracing is configured by the OpenTelemetry exporter's own standard `OTEL_*` variables (it is on when
`OTEL_EXPORTER_OTLP_ENDPOINT` is set; `runtime/telemetry/tracing.py`); the check accepts any `OTEL_*` name.
"""


def _type(annotation: Any) -> str:
    text = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    for noise in _NOISE:
        text = text.replace(noise, "")
    return text


def _default(field: FieldInfo) -> str:
    """The default as an operator writes it; a computed scalar says so (it depends on the host)."""
    value = field.get_default(call_default_factory=True, validated_data={})
    if field.default_factory is not None and not isinstance(value, dict | list | tuple):
        return "computed at start"
    if value is None:
        return "unset"
    if value == "":
        return "empty"
    if isinstance(value, dict | list | tuple):
        return f"`{json.dumps(value)}`"
    text = str(value) if isinstance(value, Path | str) else json.dumps(value)
    return f"`{text}`"


def _meaning(setting: Setting) -> str:
    if setting.field.description or setting.parent is None:
        return setting.field.description or ""
    member = setting.name.rsplit("__", 1)[1].lower()
    model = setting.parent.annotation
    summary = (model.__doc__ or "").strip().splitlines()[0] if model is not None else ""
    return f"`{member}` of {_type(model)}: {summary}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown() -> str:
    """The whole document, one row per variable, sorted by name."""
    rows = [
        f"| `{s.name}` | {', '.join(s.services)} | `{_cell(_type(s.field.annotation))}` | "
        f"{_cell(_default(s.field))} | {'yes' if s.secret else 'no'} | {_cell(_meaning(s))} |"
        for s in catalog().values()
    ]
    return HEADER + "\n".join(rows) + "\n" + FOOTER
