"""The CI integrations: the GitHub Action, the GitLab template and the pre-commit hook.

Each is checked by its platform's own validator (actionlint through a
workflow that uses the action, GitLab's CI schema, ``pre-commit
validate-manifest``), and the scripts they run are run for real against a
running stack, so the reports they promise exist and read as their consumers
read them.
"""

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.stack import Stack
from tests.client.stack import stack
from tests.client.test_cli_stack import PROJECT
from tests.ops.tools import tool
from tests.reports.consumers import read_gitlab, read_junit, read_sarif

__all__ = ["stack"]  # the fixture, imported to be used here
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ACTION = ROOT / "action.yml"
ACTION_WORKFLOW = ROOT / "tests" / "data" / "ci" / "sqllint-action.yml"
GITLAB = ROOT / "ci-templates" / "gitlab" / "sqllint.gitlab-ci.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"


def run(argv: list[str], cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    """``argv`` with the venv's tools first on the PATH, as an installed client would be."""
    full = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env}
    full.pop("CI", None)
    return subprocess.run(argv, cwd=cwd, env=full, capture_output=True, text=True, timeout=240, check=False)


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's repository: SQL with violations, a .sqlfluff, ignore files (the client tests' tree)."""
    root = tmp_path / "repo"
    for name, text in PROJECT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def action_step(name: str) -> dict[str, Any]:
    return next(step for step in load(ACTION)["runs"]["steps"] if step["name"] == name)


@pytest.mark.timeout(300)  # a first run builds actionlint
def test_a_workflow_using_the_action_passes_actionlint() -> None:
    done = run([tool("actionlint.sh"), "-no-color", str(ACTION_WORKFLOW)])
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_actionlint_holds_a_workflow_to_the_action_inputs(tmp_path: Path) -> None:
    # actionlint reads a local action's metadata from the repository the workflow is in.
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ACTION, tmp_path / "action.yml")
    text = ACTION_WORKFLOW.read_text().replace("fail-on: error", "fail-onn: error").replace("url: ", "urll: ")
    (tmp_path / ".github" / "workflows" / "bad.yml").write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    done = run([tool("actionlint.sh"), "-no-color", ".github/workflows/bad.yml"], cwd=tmp_path)
    assert done.returncode == 1
    assert 'input "fail-onn" is not defined in action "sqllint"' in done.stdout
    assert 'missing input "url" which is required by action "sqllint"' in done.stdout


def test_the_action_installs_lints_and_uploads_sarif_always() -> None:
    action = load(ACTION)
    assert set(action["inputs"]) == {"url", "paths", "dialect", "fail-on", "sarif-file", "token"}
    assert action["inputs"]["url"]["required"] is True
    assert set(action["outputs"]) == {"exit-code", "violations", "sarif-file"}
    assert action["runs"]["using"] == "composite"
    install = action_step("Install the sqllint client")["run"]
    assert '"$GITHUB_ACTION_PATH"' in install
    upload = action_step("Upload SARIF to code scanning")
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["if"].startswith("always()")
    assert upload["with"]["sarif_file"] == "${{ steps.lint.outputs.sarif-file }}"
    assert "--format sarif --output" in action_step("Lint")["run"]
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), "inputs go through env:, never into the script"


def test_the_action_scripts_pass_shellcheck(tmp_path: Path) -> None:
    assert shutil.which("shellcheck"), "shellcheck is missing: as root run infra/tools/actionlint.sh"
    for i, step in enumerate(s for s in load(ACTION)["runs"]["steps"] if "run" in s):
        script = tmp_path / f"step{i}.sh"
        script.write_text("#!/usr/bin/env bash\n" + step["run"])
        done = run(["shellcheck", "-s", "bash", str(script)])
        assert done.returncode == 0, done.stdout


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_the_action_lint_step_against_a_stack(project: Path, stack: Stack, tmp_path: Path) -> None:
    lint = action_step("Lint")
    outputs = tmp_path / "github_output"
    env = {"SQLLINT_URL": stack.base_url, "SQLLINT_PATHS": "models legacy", "SQLLINT_DIALECT": "",
           "SQLLINT_FAIL_ON": "warning", "SQLLINT_SARIF": "out/sqllint.sarif", "GITHUB_OUTPUT": str(outputs),
           "HOME": str(tmp_path)}
    assert set(lint["env"]) == set(env) - {"GITHUB_OUTPUT", "HOME"}
    done = run(["bash", "-c", lint["run"]], cwd=project, **env)
    assert done.returncode == 1, done.stderr
    results = read_sarif((project / "out" / "sqllint.sarif").read_text())["runs"][0]["results"]
    assert results
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert written == {"exit-code": "1", "sarif-file": "out/sqllint.sarif", "violations": str(len(results))}
    outputs.unlink()
    down = run(["bash", "-c", lint["run"]], cwd=project, **{**env, "SQLLINT_URL": "http://127.0.0.1:1",
                                                          "SQLLINT_SARIF": "none.sarif"})
    assert down.returncode == 2
    assert outputs.read_text() == "exit-code=2\n"  # no sarif-file: the upload step is skipped


def test_the_gitlab_template_is_valid_gitlab_ci(tmp_path: Path) -> None:
    check = [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci"]
    done = run([*check, str(GITLAB)])
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.gitlab-ci.yml"
    broken.write_text(GITLAB.read_text().replace("when: always", "when: sometimes"))
    assert run([*check, str(broken)]).returncode == 1
    job = load(GITLAB)["sqllint"]
    reports = {"codequality": "gl-code-quality-report.json", "junit": "sqllint-junit.xml"}
    assert job["artifacts"]["reports"] == reports
    assert job["artifacts"]["when"] == "always"


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_the_gitlab_job_script_writes_both_reports(project: Path, stack: Stack, tmp_path: Path) -> None:
    job = load(GITLAB)["sqllint"]
    install, *script = job["script"]
    assert install == 'python -m pip install --quiet "$SQLLINT_PIP_SPEC"'  # the venv already has the client
    env = {**job["variables"], "SQLLINT_URL": stack.base_url, "HOME": str(tmp_path)}
    done = run(["sh", "-c", "\n".join(script)], cwd=project, **env)
    assert done.returncode == 1, done.stderr
    issues = read_gitlab((project / "gl-code-quality-report.json").read_text())
    cases = read_junit((project / "sqllint-junit.xml").read_text())
    assert {i["location"]["path"] for i in issues} == {"models/orders.sql", "legacy/old.sql"}
    assert sum(len(case.findall("failure")) for case in cases.values()) == len(issues)
    assert "models/orders.sql:1:" in done.stdout  # the human report in the job log


def test_the_pre_commit_manifest_is_valid(tmp_path: Path) -> None:
    pre_commit = BIN / "pre-commit"
    assert pre_commit.exists(), "pre-commit is missing from the venv: pip install pre-commit (test extras)"
    done = run([str(pre_commit), "validate-manifest", str(HOOKS)])
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / ".pre-commit-hooks.yaml"
    broken.write_text(HOOKS.read_text().replace("entry: sqllint", "entri: sqllint"))
    assert run([str(pre_commit), "validate-manifest", str(broken)]).returncode == 1
    [hook] = load(HOOKS)
    assert hook["id"] == hook["entry"] == "sqllint"
    assert (hook["language"], hook["types"], hook["require_serial"]) == ("python", ["sql"], True)


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_the_hook_runs_as_pre_commit_runs_it(project: Path, stack: Stack, tmp_path: Path) -> None:
    # pre-commit passes the staged files its `types` select (by identify's tags), after the hook's args.
    try:
        tags_from_path = importlib.import_module("identify.identify").tags_from_path
    except ImportError:
        pytest.fail("identify is missing: pip install pre-commit (it brings identify; test extras)")
    [hook] = load(HOOKS)
    staged = ["models/orders.sql", "models/clean.sql", "build/generated.sql", ".sqlfluff", "pyproject.toml"]
    files = [name for name in staged if set(hook["types"]) <= tags_from_path(str(project / name))]
    assert files == ["models/orders.sql", "models/clean.sql", "build/generated.sql"]
    argv = [hook["entry"], *hook["args"], *files]
    done = run(argv, cwd=project, SQLLINT_URL=stack.base_url, HOME=str(tmp_path))
    assert done.returncode == 1, done.stderr
    # .sqlfluffignore still applies to a named file, as with sqlfluff: build/ is not linted.
    assert done.stdout.endswith("2 file(s) checked, " + done.stdout.rsplit(", ", 1)[1])
    assert "models/orders.sql:1:" in done.stdout and "build/generated.sql" not in done.stdout
