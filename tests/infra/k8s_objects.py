"""Rendering the Kubernetes manifests with the real kubectl, validating them with kubernetes-validate.

Both tools run for real: ``kubectl kustomize`` (the binary on PATH) renders an
overlay exactly as the deploy workflow does, and ``kubernetes-validate
--strict`` (the venv's) checks every object against the Kubernetes schemas. A
missing tool fails the test with what to install, never a skip.
"""

import functools
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "infra" / "k8s"
OVERLAYS = ("dev", "staging", "production")
WORKLOADS = ("ingest", "processors", "sink")
VALIDATOR = Path(sys.executable).with_name("kubernetes-validate")
# The oldest cluster the manifests support (1.30: the first to run a preStop `sleep` by default)
# and the newest schemas the validator ships.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")

Obj = dict[str, Any]


def kubectl() -> str:
    """The kubectl binary, or a failure that says how to get it."""
    found = shutil.which("kubectl")
    if found is None:
        pytest.fail("kubectl is not on PATH: install it (Debian/Ubuntu package kubectl) to render infra/k8s")
    return found


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)


@functools.cache
def rendered_text(folder: Path) -> str:
    """``kubectl kustomize --load-restrictor LoadRestrictionsNone <folder>``, as the overlays document."""
    done = _run([kubectl(), "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(folder)])
    assert done.returncode == 0, f"kubectl kustomize {folder} failed:\n{done.stderr}"
    return done.stdout


def render(folder: Path) -> list[Obj]:
    """The objects ``folder``'s kustomization renders (fresh copies: tests may change them)."""
    return [doc for doc in yaml.safe_load_all(rendered_text(folder)) if doc]


def overlay(env: str) -> list[Obj]:
    """The objects of one environment's overlay."""
    return render(K8S / "overlays" / env)


def validate(text: str, version: str = KUBERNETES_VERSIONS[-1]) -> tuple[int, str]:
    """``kubernetes-validate --strict`` against ``version``, over multi-document YAML: (exit code, output)."""
    if not VALIDATOR.exists():
        pytest.fail(f"{VALIDATOR} is missing: make bootstrap installs it with the test extras")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "objects.yaml"
        path.write_text(text, encoding="utf-8")
        done = _run([str(VALIDATOR), "--strict", "--quiet", "-k", version, str(path)])
    return done.returncode, done.stdout + done.stderr


def dump(objects: list[Obj]) -> str:
    """Objects back to one multi-document YAML text."""
    return yaml.safe_dump_all(objects, sort_keys=False)


def find(objects: list[Obj], kind: str, name: str | None = None) -> list[Obj]:
    """The objects of ``kind`` (named ``name`` when given)."""
    return [o for o in objects if o["kind"] == kind and name in (None, o["metadata"]["name"])]


def one(objects: list[Obj], kind: str, name: str) -> Obj:
    """The single object of ``kind`` named ``name``."""
    found = find(objects, kind, name)
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def config(objects: list[Obj]) -> dict[str, str]:
    """The data of the overlay's generated ConfigMap (sqllint-config-<hash>)."""
    maps = [o for o in find(objects, "ConfigMap") if o["metadata"]["name"].startswith("sqllint-config")]
    assert len(maps) == 1, f"expected one generated sqllint-config ConfigMap, found {len(maps)}"
    return dict(maps[0]["data"])


def pod_templates(objects: list[Obj]) -> Iterator[tuple[str, Obj]]:
    """(name, pod template) of every Deployment and Job."""
    for obj in objects:
        if obj["kind"] in {"Deployment", "Job"}:
            yield obj["metadata"]["name"], obj["spec"]["template"]


def selects(selector: Obj, labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels, matchExpressions In/NotIn/Exists) matches ``labels``."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        present = key in labels
        ok = {
            "In": present and labels.get(key) in values,
            "NotIn": not present or labels.get(key) not in values,
            "Exists": present,
            "DoesNotExist": not present,
        }[op]
        if not ok:
            return False
    return True
