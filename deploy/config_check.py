"""``python -m deploy config check``: one environment file, plus its secrets, as the services would see it.

Secrets are taken from ``--secrets FILE`` and, by name only, from the process
environment: a developer's shell full of unrelated variables must not turn
into findings, and a secret must never have to be written to a file.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from deploy.env_file import read_env
from deploy.environment_rules import ENVIRONMENTS
from deploy.environment_rules import environment_rules as rules_for
from deploy.problem import Problem
from deploy.service_validation import invalid_values, unknown_names
from deploy.settings_catalog import per_pod_names, secret_names

# The package is installed into site-packages in the image, so config/ is looked up from the
# working directory first (the repository root, or /app in the image), then beside the sources.
SOURCE_CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
# A file named after none of the environments is held to the strictest rules unless told otherwise.
DEFAULT_FOR_PATHS = "production"


class UsageError(Exception):
    """The command cannot run: unknown environment, unreadable file (exit 2)."""


@dataclass(frozen=True)
class Target:
    """The file to check and the environment whose rules apply to it."""

    environment: str
    path: Path


def resolve(target: str, environment: str | None = None) -> Target:
    """``dev`` → ``config/dev.env``; a path (``*.env`` or containing ``/``) is checked as ``environment``."""
    if target in ENVIRONMENTS:
        here = Path("config")
        return Target(environment or target, (here if here.is_dir() else SOURCE_CONFIG_DIR) / f"{target}.env")
    path = Path(target)
    if path.suffix != ".env" and "/" not in target:
        known = ", ".join(ENVIRONMENTS)
        raise UsageError(f"unknown environment {target!r}: use one of {known} or a path to a .env file")
    stem = path.stem if path.stem in ENVIRONMENTS else DEFAULT_FOR_PATHS
    return Target(environment or stem, path)


def gather_secrets(
    secrets_file: Path | None, environ: Mapping[str, str]
) -> tuple[dict[str, str], list[Problem]]:
    """The secrets from the process environment (by name only), overridden by ``--secrets FILE``.

    A pod's own values (its Kafka principal) are given the same way: they differ per service.
    """
    names = (*secret_names(), *per_pod_names())
    secrets = {name: environ[name] for name in names if name in environ}
    if secrets_file is None:
        return secrets, []
    values, problems = read_env(secrets_file)
    problems += [
        Problem(name, f"{secrets_file}: not a secret; it belongs in config/<env>.env")
        for name in sorted(values) if name not in names
    ]
    secrets.update({name: value for name, value in values.items() if name in names})
    return secrets, problems


def check(target: Target, secrets_file: Path | None, environ: Mapping[str, str]) -> list[Problem]:
    """Every problem of the file and its secrets, in the order an operator fixes them."""
    settings, problems = read_env(target.path)
    secrets, secret_problems = gather_secrets(secrets_file, environ)
    problems += secret_problems
    leaked = [name for name in sorted(settings) if name in secret_names()]
    problems += [Problem(name, f"a secret in {target.path}: give it from a Secret or the environment")
                 for name in leaked]
    merged = {name: value for name, value in settings.items() if name not in leaked} | secrets
    problems += unknown_names(merged) + invalid_values(merged) + rules_for(target.environment, merged)
    return list(dict.fromkeys(problems))
