"""The GitHub workflows (.github/workflows): linted, schema-checked, and held to what neither checks.

actionlint (built by infra/tools/actionlint.sh, with shellcheck on the ``run:`` scripts) and the
GitHub workflow schema catch what is malformed; the other tests pin the promises of each workflow:
CI is `.ci/run`, a release is scanned before it is pushed, production waits for approval and a failed
rollout is undone. The deploy workflow's render and split scripts run here for real, on each overlay.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ops.tools import tool

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = [ROOT / ".github" / "workflows" / name for name in ("ci.yml", "release.yml", "deploy.yml")]
ENVIRONMENTS = ["dev", "staging", "production"]
IMAGE_NAME, IMAGE_TAG = "ghcr.io/acme/sqllint", "v9.9.9"
IMAGE = f"{IMAGE_NAME}:{IMAGE_TAG}"
PUSH_ON_TAGS = "${{ github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v') }}"


def load(name: str) -> dict[Any, Any]:
    """A workflow as data; PyYAML reads the key ``on`` as True, put back under its name."""
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True)
    return doc


def run(argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``argv`` in the checkout, its exit status left to the caller to assert."""
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def tracked(path: str) -> bool:
    """Whether git tracks ``path``: the workflows name files other changes must have committed."""
    return run(["git", "ls-files", "--error-unmatch", path]).returncode == 0


def step(job: dict[str, Any], name: str) -> dict[str, Any]:
    return next(each for each in job["steps"] if each.get("name") == name)


def uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [each for each in job["steps"] if each.get("uses", "").startswith(action + "@")]


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return run([tool("actionlint.sh"), "-no-color", *map(str, paths)])


@pytest.mark.timeout(300)  # a first run builds actionlint (about 20 s with an empty Go cache)
def test_actionlint_finds_nothing() -> None:
    assert shutil.which("shellcheck"), "shellcheck is missing: as root run infra/tools/actionlint.sh"
    done = actionlint(*WORKFLOWS)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_actionlint_reports_expressions_and_shell(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.nope }} $UNQUOTED\n", encoding="utf-8")
    done = actionlint(bad)
    assert done.returncode == 1
    assert "property \"nope\" is not defined" in done.stdout
    assert "shellcheck reported issue" in done.stdout  # SC2086 on $UNQUOTED: shellcheck is in use


def test_workflows_match_the_github_schema(tmp_path: Path) -> None:
    checker = str(Path(sys.executable).parent / "check-jsonschema")
    check = [checker, "--builtin-schema", "vendor.github-workflows"]
    done = run([*check, *map(str, WORKFLOWS)])
    assert done.returncode == 0, done.stdout + done.stderr
    (tmp_path / "bad.yml").write_text("on: push\njobs:\n  x:\n    steps: []\n", encoding="utf-8")
    wrong = run([*check, str(tmp_path / "bad.yml")])
    assert wrong.returncode == 1 and "runs-on" in wrong.stdout


def test_ci_is_dot_ci_run_with_caches_and_artefacts() -> None:
    ci = load("ci.yml")
    assert set(ci["on"]) == {"push", "pull_request"}
    assert ci["permissions"] == {"contents": "read"}
    assert ci["concurrency"]["cancel-in-progress"] is True
    (job,) = ci["jobs"].values()
    assert job["timeout-minutes"] == 90
    runs = [each["run"] for each in job["steps"] if "run" in each]
    assert runs == ['git config --global --add safe.directory "$GITHUB_WORKSPACE"', ".ci/run"]
    caches = {each["with"]["path"]: each["with"]["key"] for each in uses(job, "actions/cache")}
    assert set(caches) == {"/github/home/.cache/pip", "/github/home/.m2/repository", ".cache/kafka",
                           "/github/home/.cache/sqllint/tools"}
    for key in caches.values():
        for pattern in re.findall(r"hashFiles\('([^']+)'\)", key):
            assert list(ROOT.glob(pattern)), f"cache key hashes no file: {pattern}"
    assert job["env"]["SQLLINT_TOOLS_DIR"] == "/github/home/.cache/sqllint/tools"
    uploaded = " ".join(each["with"]["path"] for each in uses(job, "actions/upload-artifact"))
    assert "var/coverage/html" in uploaded and "screenshots" in uploaded


def test_release_scans_every_architecture_before_it_pushes_on_tags() -> None:
    release = load("release.yml")
    assert release["on"]["push"] == {"tags": ["v*"]} and "workflow_dispatch" in release["on"]
    dockerfile = release["env"]["DOCKERFILE"]
    assert tracked(dockerfile), f"{dockerfile} is not committed"
    scan, publish = release["jobs"]["scan"], release["jobs"]["publish"]
    platforms = [each["platform"] for each in scan["strategy"]["matrix"]["include"]]
    assert platforms == ["linux/amd64", "linux/arm64"]
    (build,) = uses(scan, "docker/build-push-action")
    (trivy,) = uses(scan, "aquasecurity/trivy-action")
    assert build["with"]["push"] is False and build["with"]["load"] is True
    assert scan["steps"].index(build) < scan["steps"].index(trivy)
    assert trivy["with"]["image-ref"] == build["with"]["tags"]
    assert trivy["with"]["severity"] == "HIGH,CRITICAL" and trivy["with"]["exit-code"] == "1"
    assert re.fullmatch(r"[0-9a-f]{40}", trivy["uses"].split("@")[1]), "trivy-action is pinned to a commit"
    assert uses(scan, "anchore/sbom-action")[0]["with"]["format"] == "spdx-json"
    assert scan["permissions"] == {"contents": "read"}
    # Pushing happens in publish only, after the scan, and only for a pushed v* tag.
    assert publish["needs"] == "scan"
    assert publish["env"]["PUSH"] == PUSH_ON_TAGS
    (push,) = uses(publish, "docker/build-push-action")
    assert push["with"]["push"] == "${{ env.PUSH == 'true' }}"
    assert push["with"]["platforms"] == "linux/amd64,linux/arm64" and push["with"]["sbom"] is True
    assert push["with"]["context"] == "." and push["with"]["file"] == "${{ env.DOCKERFILE }}"
    assert publish["permissions"]["packages"] == "write" and publish["permissions"]["id-token"] == "write"


def test_deploy_gates_production_and_rolls_back_failures() -> None:
    deploy = load("deploy.yml")
    assert deploy["on"]["workflow_run"]["workflows"] == [load("release.yml")["name"]]
    assert deploy["on"]["workflow_dispatch"]["inputs"]["environment"]["options"] == ENVIRONMENTS
    jobs = deploy["jobs"]
    assert jobs["deploy-production"]["environment"] == "production"
    assert jobs["deploy-production"]["if"] == "needs.target.outputs.environment == 'production'"
    assert jobs["deploy"]["if"] == "needs.target.outputs.environment != 'production'"
    for job in (jobs["deploy"], jobs["deploy-production"]):
        rollback = step(job, "Roll back the Deployments")
        assert rollback["if"] == "failure() && steps.apply.outcome != 'skipped'"
        assert "kubectl rollout undo" in rollback["run"]
        names = [each.get("name") for each in job["steps"]]
        assert names.index("Migrate the database") < names.index("Apply the Deployments")
        assert "kubectl rollout status" in step(job, "Wait for the rollouts")["run"]
        assert "/health/ready" in step(job, "Smoke check /health/ready through the Ingress")["run"]
    for environment in ENVIRONMENTS:
        overlay = f"infra/k8s/overlays/{environment}/kustomization.yaml"
        assert tracked(overlay), f"{overlay} is not committed"


def run_step(job: dict[str, Any], name: str, env: dict[str, str]) -> None:
    """A ``run:`` step the way the runner runs it: bash -eo pipefail, or python for ``shell: python``."""
    this = step(job, name)
    argv = [sys.executable, "-c"] if this.get("shell") == "python" else ["bash", "--noprofile", "--norc",
                                                                          "-eo", "pipefail", "-c"]
    done = run([*argv, this["run"]], env)
    assert done.returncode == 0, done.stdout + done.stderr


def images(docs: list[dict[str, Any]]) -> set[str]:
    pods = [doc["spec"]["template"]["spec"] for doc in docs]
    return {each["image"] for pod in pods for each in pod.get("initContainers", []) + pod["containers"]}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_deploy_renders_and_splits_each_overlay(environment: str, tmp_path: Path) -> None:
    assert shutil.which("kubectl"), "kubectl is missing (the deploy workflow renders with kubectl kustomize)"
    job = load("deploy.yml")["jobs"]["deploy"]
    github_env = tmp_path / "github_env"
    env = {**os.environ, "RUNNER_TEMP": str(tmp_path), "GITHUB_ENV": str(github_env),
           "DEPLOY_ENV": environment, "IMAGE_NAME": IMAGE_NAME, "IMAGE_TAG": IMAGE_TAG}
    run_step(job, "Render the overlay with the released image", env)
    exported = dict(line.split("=", 1) for line in github_env.read_text().splitlines())
    run_step(job, "Split the manifests", {**env, **exported})
    exported = dict(line.split("=", 1) for line in github_env.read_text().splitlines())
    release = Path(exported["RELEASE"])
    part = {name: list(yaml.safe_load_all((release / name).read_text()))
            for name in ("objects.yaml", "migrate.yaml", "deployments.yaml")}
    assert [doc["kind"] for doc in part["migrate.yaml"]] == ["Job"]
    deployments = sorted(doc["metadata"]["name"] for doc in part["deployments.yaml"])
    assert deployments == ["ingest", "processors", "sink"]
    assert images(part["migrate.yaml"] + part["deployments.yaml"]) == {IMAGE}
    assert not {"Job", "Deployment", "Secret"} & {doc["kind"] for doc in part["objects.yaml"]}
    assert exported["NAMESPACE"] == f"sqllint-{environment}"
    assert re.fullmatch(r"https://[a-z0-9.-]+", exported["INGRESS_URL"])
    # Apart from the image, what the workflow applies is the overlay as committed.
    plain = run(["kubectl", "kustomize", "--load-restrictor", "LoadRestrictionsNone",
                 f"infra/k8s/overlays/{environment}"])
    assert plain.returncode == 0, plain.stderr
    released = re.sub(r"image: sqllint(:\S+)?\n", f"image: {IMAGE}\n", plain.stdout)
    assert (release / "rendered.yaml").read_text() == released


def test_actions_are_pinned_to_major_versions_or_commits() -> None:
    for path in WORKFLOWS:
        refs = re.findall(r"uses: ([\w.-]+/[\w./-]+)@(\S+)", path.read_text(encoding="utf-8"))
        assert refs, path
        for action, ref in refs:
            assert re.fullmatch(r"v\d+|[0-9a-f]{40}", ref), f"{path.name}: {action}@{ref} is not pinned"


def test_deploy_creates_each_pods_secret_from_its_own_ci_secrets() -> None:
    job = load("deploy.yml")["jobs"]["deploy"]
    create = step(job, "Create or update the services' Secrets")
    script = create["run"].replace("\\\n", " ")
    made = {f"sqllint-{name}": dict(pair.split("=") for pair in pairs.split())
            for name, pairs in re.findall(r"^\s*secret ([a-z-]+) ((?:[A-Z_]+=[A-Z_]+ *)+)$", script, re.M)}
    template = {s["metadata"]["name"]: set(s["stringData"])
                for s in yaml.safe_load_all((ROOT / "infra/k8s/secret.example.yaml").read_text())}
    assert {name: set(keys) for name, keys in made.items()} == template
    for keys in made.values():  # every value comes from the CI secret of that name, through env:
        for variable in keys.values():
            assert create["env"][variable] == f"${{{{ secrets.{variable} }}}}", variable
    # Two services never share a Kafka password or a database user.
    assert len({keys["KAFKA_SASL_PASSWORD"] for keys in made.values() if "KAFKA_SASL_PASSWORD" in keys}) == 3
    urls = {name: keys["DATABASE_URL"] for name, keys in made.items() if "DATABASE_URL" in keys}
    assert urls == {"sqllint-ingest-secrets": "INGEST_DATABASE_URL",
                    "sqllint-sink-secrets": "SINK_DATABASE_URL",
                    "sqllint-migration-secrets": "MIGRATION_DATABASE_URL"}
    check = step(job, "Check the environment's settings with each service's secrets")
    assert set(re.findall(r"secrets\.([A-Z_]+)", str(check["env"]))) == {
        *(v for keys in made.values() for v in keys.values())} - {"WEBHOOK_SIGNING_KEY"}
