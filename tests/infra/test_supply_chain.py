"""The supply chain holds: what is installed is what was locked, and what is locked is audited.

The checkout's .venv is the hash-pinned dev lock, pip refuses a file whose hash differs, pip-audit reads
the locks with every accepted advisory explained, and ruff's security rules (flake8-bandit, ``S``) hold
everywhere but where pyproject says why not.
"""

import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
BUILD_LOCK = ROOT / "infra" / "docker" / "build.lock"
VENV_BIN = Path(sys.executable).parent


def blocks(lock: Path) -> dict[str, tuple[Requirement, str]]:
    """Each pin's name -> (its requirement with marker, the whole block with its hashes)."""
    found = {}
    for block in re.split(r"\n(?=\S)", lock.read_text()):
        if block.startswith("#") or "==" not in block:
            continue
        line = block.split("\\\n")[0].strip().removesuffix("\\").strip()
        req = Requirement(line)
        found[canonicalize_name(req.name)] = (req, block)
    return found


def version(req: Requirement) -> str:
    return next(iter(req.specifier)).version


def test_the_venv_is_exactly_what_the_dev_lock_pins() -> None:
    here = [req for req, _ in blocks(DEV_LOCK).values() if req.marker is None or req.marker.evaluate()]
    applying = {canonicalize_name(req.name): version(req) for req in here}
    installed = {name: metadata.version(name) for name in applying if _installed(name)}
    assert installed == applying, "the .venv differs from requirements-dev.lock: run infra/bootstrap.sh"


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def test_the_dev_lock_has_the_images_runtime_pins_and_every_test_extra() -> None:
    dev, runtime = blocks(DEV_LOCK), blocks(LOCK)
    assert {n: version(r) for n, (r, _) in runtime.items()} == {
        n: version(dev[n][0]) for n in runtime
    }, "tests must run the versions the image ships"
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    missing = {canonicalize_name(Requirement(e).name) for e in extras} - set(dev)
    assert not missing, f"test extras not in requirements-dev.lock: {missing} (run make lock)"
    assert all("--hash=sha256:" in block for _, block in dev.values())


def test_bootstrap_installs_only_hash_checked_locks_then_the_project_without_dependencies() -> None:
    script = (ROOT / "infra" / "bootstrap.sh").read_text()
    assert "LOCKS=(requirements-dev.lock infra/docker/build.lock)" in script
    installs = [line for line in script.splitlines() if '"${pip[@]}"' in line]
    assert installs == [
        '    "${pip[@]}" --require-hashes --no-deps "${LOCKS[@]/#/--requirement=$ROOT/}"',
        '    "${pip[@]}" --no-deps --no-build-isolation -e "$ROOT"',
    ]
    assert "bootstrap.sh" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.timeout(300)
def test_pip_refuses_a_locked_file_whose_hash_differs(tmp_path: Path) -> None:
    _, block = blocks(DEV_LOCK)["idna"]
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(block + "\n")
    bad.write_text(re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, block) + "\n")

    def download(lock: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--require-hashes", "--no-cache-dir",
             "--only-binary", ":all:", "-r", str(lock), "-d", str(tmp_path / lock.stem)],
            capture_output=True, text=True, timeout=240, check=False,
        )

    assert download(good).returncode == 0
    refused = download(bad)
    assert refused.returncode != 0
    assert "DO NOT MATCH THE HASHES" in refused.stderr


def _audit(env: dict[str, str], *locks: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "infra" / "audit.sh"), *locks], capture_output=True, text=True, timeout=240,
        env={**os.environ, **env}, cwd=ROOT, check=False,
    )


@pytest.mark.timeout(300)
def test_the_audit_reads_both_locks_and_is_strict_unless_told_the_service_is_away() -> None:
    lenient = _audit({"AUDIT_UNREACHABLE": "warn"})
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    audited, total = map(int, re.search(r"(\d+) of (\d+) pins audited", lenient.stdout).groups())
    pins = blocks(LOCK) | blocks(DEV_LOCK) | blocks(BUILD_LOCK)
    assert total == sum(req.marker is None or req.marker.evaluate() for req, _ in pins.values())
    strict = _audit({"AUDIT_UNREACHABLE": "fail"})
    # Strict passes only when the vulnerability service answered for every pin.
    assert (strict.returncode == 0) == (audited == total), strict.stdout + strict.stderr
    if audited < total:
        assert strict.returncode == 3
        assert "NOT AUDITED" in strict.stderr


def test_an_accepted_advisory_needs_a_reason(tmp_path: Path) -> None:
    ignore = tmp_path / "ignore"
    ignore.write_text("# accepted\nGHSA-xxxx-yyyy-zzzz\n")
    refused = _audit({"AUDIT_IGNORE": str(ignore)})
    assert refused.returncode == 1
    assert "GHSA-xxxx-yyyy-zzzz is listed without a reason" in refused.stderr
    for line in (ROOT / ".pip-audit-ignore").read_text().splitlines():
        assert not line.strip() or line.startswith("#") or len(line.split(None, 1)) == 2, line


def test_ruff_security_rules_are_on_clean_and_never_silenced_inline() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S" in config["select"]
    clean = subprocess.run([str(VENV_BIN / "ruff"), "check", "--select", "S", "."], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout
    noqa = subprocess.run(["git", "grep", "-n", "-I", "-E", "#[[:space:]]*noqa", "--", "*.py"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert noqa.stdout == ""


def test_the_service_code_is_not_exempt_from_the_security_rules() -> None:
    risky = (
        'import subprocess\n\n\ndef run(cmd: str) -> None:\n    """Why."""\n'
        "    subprocess.call(cmd, shell=True)\n"
    )
    found = subprocess.run(
        [str(VENV_BIN / "ruff"), "check", "--select", "S", "--stdin-filename", "ingest/example.py", "-"],
        input=risky, cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert found.returncode == 1
    assert "S602" in found.stdout


@pytest.mark.timeout(300)
def test_lock_check_notices_a_dev_lock_behind_pyproject(tmp_path: Path) -> None:
    docker = tmp_path / "infra" / "docker"
    docker.mkdir(parents=True)
    for name in ("pyproject.toml", "requirements.lock", "requirements-dev.lock"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    for name in ("lock.sh", "Dockerfile", "build.lock", "build-requirements.in"):
        (docker / name).write_text((ROOT / "infra" / "docker" / name).read_text())
    (docker / "lock.sh").chmod(0o755)
    check = [str(docker / "lock.sh"), "--check"]
    assert subprocess.run(check, capture_output=True, text=True, timeout=240, check=False).returncode == 0
    locked = (ROOT / "requirements-dev.lock").read_text()
    stale = re.sub(r"(?m)^pytest-timeout==[^ ]+", "pytest-timeout==2.3.1", locked)
    (tmp_path / "requirements-dev.lock").write_text(stale)
    behind = subprocess.run(check, capture_output=True, text=True, timeout=240, check=False)
    assert behind.returncode == 1
    assert "out of date" in behind.stderr
    assert "pytest-timeout==2.3.1" in behind.stdout
