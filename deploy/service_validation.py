"""The merged values read the way each service reads them: its own settings class, its typo guard.

Each class is constructed inside an environment holding exactly the checked
values (the process environment is put back afterwards), so the prefixes,
nested names, legacy names and :func:`runtime.settings_sources.check_environment`
behave as they do at a service's start, and nothing of the operator's own
shell leaks into the verdict.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError

from deploy.problem import Problem
from deploy.settings_catalog import SERVICES, catalog, is_known, nearest, nested_model
from runtime.settings import ServiceSettings, setting_names
from runtime.settings_sources import SettingsError, check_environment


@contextmanager
def only_environ(values: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` holds exactly ``values`` inside the block, and what it held before after it."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _unknown_message(name: str, value: str) -> str:
    """The service's own typo message for its prefix, else the nearest variable any service reads."""
    for cls in SERVICES:
        prefix = str(cls.model_config.get("env_prefix", "")).upper()
        if prefix and name.startswith(prefix):
            try:
                check_environment(cls, {name: value})
            except SettingsError as exc:
                return str(exc)
    hint = nearest(name)
    return "no service reads it" + (f" (did you mean {hint}?)" if hint else "")


def unknown_names(values: Mapping[str, str]) -> list[Problem]:
    """Variables no service reads: a typo here would silently leave a default in force."""
    unknown = [name for name in sorted(values) if not is_known(name)]
    return [Problem(name, _unknown_message(name, values[name])) for name in unknown]


WHOLE = "(settings)"


def _variable(cls: type[ServiceSettings], loc: tuple[int | str, ...]) -> tuple[str, str]:
    """The variable a pydantic error location is about, and the dict key it names (if any)."""
    envs = setting_names(cls)
    by_field = dict(zip(cls.model_fields, envs, strict=True))  # setting_names keeps the fields' order
    if not loc:  # a rule across settings (a SASL protocol without its principal): its message names them
        return WHOLE, ""
    head = str(loc[0])
    name = by_field.get(head, head.upper())
    if len(loc) < 2:
        return name, ""
    if name in envs and nested_model(envs[name]) is not None:
        return f"{name}__{str(loc[1]).upper()}", ""
    return name, f"key {loc[1]!r}: "


def _shown(name: str, value: Any) -> str:
    setting = catalog().get(name)
    return "<secret>" if setting is not None and setting.secret else repr(value)


def invalid_values(values: Mapping[str, str]) -> list[Problem]:
    """Values a service would refuse at start (exit 2), once per variable with every service that reads it."""
    known = {name: value for name, value in values.items() if is_known(name)}
    found: dict[tuple[str, str], list[str]] = {}
    for cls in SERVICES:
        with only_environ(known):
            try:
                cls()
            except ValidationError as exc:
                for error in exc.errors():
                    name, key = _variable(cls, error["loc"])
                    # A rule across settings got them all as its input: never echo them (secrets).
                    shown = "" if name == WHOLE else f" (got {_shown(name, error.get('input'))})"
                    message = f"{key}{error['msg']}{shown}"
                    found.setdefault((name, message), []).append(cls.service_name)
    return [
        Problem(name, f"{message}; read by {', '.join(services)}")
        for (name, message), services in sorted(found.items())
    ]
