"""The image's promises, read from infra/docker/Dockerfile, and its lock installed for real.

Static checks (no Docker engine here): multi-stage, a numeric non-root USER, HEALTHCHECK,
hash-checked installs, the lock made for the base image's Python, a lock covering every
runtime dependency, a build context that holds the sources, and hadolint (the Dockerfile
linter, from its PyPI wheel via infra/tools/hadolint.sh) clean. Then, once, the builder stage's
pip steps replayed in a throwaway venv from the files the real build context would send, and
the services imported, the migrations and the config check run with what it installed.
"""

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from docker.utils.build import exclude_paths
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ingest.settings import IngestSettings
from processors.settings import ProcessorSettings
from runtime.settings import setting_names
from sink.settings import SinkSettings

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "infra" / "docker"
DOCKERFILE = DOCKER / "Dockerfile"
LOCK = ROOT / "requirements.lock"
BUILD_LOCK = DOCKER / "build.lock"

Instruction = tuple[int, str, str]  # stage index, keyword, arguments


def instructions(text: str) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped, by stage."""
    logical, parts = [], []
    for line in text.splitlines():
        if line.lstrip().startswith("#") or (not line.strip() and not parts):
            continue
        parts.append(line.rstrip().removesuffix("\\").strip())
        if not line.rstrip().endswith("\\"):
            logical.append(" ".join(p for p in parts if p))
            parts = []
    stage, result = -1, []
    for entry in logical:
        keyword, _, args = entry.partition(" ")
        stage += keyword.upper() == "FROM"
        result.append((stage, keyword.upper(), args.strip()))
    return result


DOCKERFILE_STEPS = instructions(DOCKERFILE.read_text())


def args_of(keyword: str, stage: int | None = None) -> list[str]:
    return [a for s, k, a in DOCKERFILE_STEPS if k == keyword and stage in (None, s)]


def locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """Each pin's name -> (version, hashes) of a uv/pip-compile lock."""
    pins: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=\S)", path.read_text()):
        match = re.match(r"([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", block)
        if match:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
            pins[canonicalize_name(match[1])] = (match[2], hashes)
    return pins


def lock_python(path: Path) -> str:
    match = re.search(r"--python-version (\S+)", path.read_text())
    assert match, f"{path.name}: the header names no --python-version (regenerate: make lock)"
    return match[1]


def dockerfile_python() -> str:
    match = re.fullmatch(r"PYTHON_VERSION=(\S+)", args_of("ARG", -1)[0])
    assert match, "the first ARG (before any FROM) must be PYTHON_VERSION=<3.N>"
    return match[1]


def test_multi_stage_with_a_numeric_non_root_user_and_the_runtime_promises() -> None:
    froms = args_of("FROM")
    assert len(froms) >= 2 and froms[0].endswith(" AS builder"), froms
    final = len(froms) - 1
    assert any(copy.startswith("--from=builder /opt/venv") for copy in args_of("COPY", final))
    user = args_of("USER", final)[-1]
    assert re.fullmatch(r"\d+(:\d+)?", user), f"USER must be numeric (uid[:gid]), got {user!r}"
    assert int(user.split(":")[0]) == 10001
    assert "/health/live" in args_of("HEALTHCHECK", final)[-1]
    assert {"8080", "9101", "9102"} <= set(" ".join(args_of("EXPOSE", final)).split())
    assert args_of("STOPSIGNAL", final) == ["SIGTERM"]
    labels = " ".join(args_of("LABEL", final))
    for key in ("title", "description", "version", "revision", "created", "licenses"):
        assert f"org.opencontainers.image.{key}=" in labels, key
    # The lint pool pins PYTHONHASHSEED=0 for its own processes; a global value must not fight it.
    assert "PYTHONHASHSEED" not in " ".join(args_of("ENV")), "leave PYTHONHASHSEED to the lint pool"


def test_every_dependency_install_is_hash_checked_and_adds_nothing_unlocked() -> None:
    installs = [cmd.strip() for run in args_of("RUN", 0) for cmd in run.split("&&") if "pip install" in cmd]
    from_locks = {shlex.split(cmd)[-1]: cmd for cmd in installs if " -r " in cmd}
    assert set(from_locks) == {"infra/docker/build.lock", "requirements.lock"}, installs
    assert all("--require-hashes" in cmd and "--no-deps" in cmd for cmd in from_locks.values())
    # Builds (an sdist of the lock, the project) use the hash-checked backends, never an isolated,
    # unchecked environment; the project adds no dependency of its own.
    project = [cmd for cmd in installs if " -r " not in cmd]
    assert project and all("--no-deps" in cmd and "--no-build-isolation" in cmd for cmd in project)
    assert "--no-build-isolation" in from_locks["requirements.lock"]


def test_the_builder_removes_exactly_the_build_backends() -> None:
    uninstall = next(cmd for run in args_of("RUN", 0) for cmd in run.split("&&") if "pip uninstall" in cmd)
    removed = {canonicalize_name(w) for w in shlex.split(uninstall)[3:]}
    assert removed == set(locked(BUILD_LOCK)) - set(locked(LOCK))


def test_the_locks_are_for_the_base_images_python() -> None:
    assert "${PYTHON_VERSION}" in args_of("FROM")[0] and "${PYTHON_VERSION}" in args_of("FROM")[-1]
    assert lock_python(LOCK) == lock_python(BUILD_LOCK) == dockerfile_python()
    assert "--universal" in LOCK.read_text().split("\n", 3)[1], "the lock must hold for amd64 and arm64"


def test_the_lock_pins_every_runtime_dependency_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = locked(LOCK)
    assert all(hashes for _, hashes in pins.values()), [n for n, (_, h) in pins.items() if not h]
    for spec in map(Requirement, project["dependencies"]):
        name = canonicalize_name(spec.name)
        assert name in pins, f"{name} is not in requirements.lock: run make lock"
        assert spec.specifier.contains(pins[name][0], prereleases=True), (spec, pins[name][0])
    tests_only = {canonicalize_name(Requirement(r).name) for r in project["optional-dependencies"]["test"]}
    assert not tests_only & set(pins), "test tools do not belong in the image"


def test_the_locks_match_pyproject_and_have_wheels_for_amd64_and_arm64() -> None:
    """lock.sh --check resolves again against the index, keeping the committed pins, and compares."""
    done = subprocess.run([str(DOCKER / "lock.sh"), "--check"], capture_output=True, text=True, check=False,
                          timeout=110)
    assert done.returncode == 0, done.stdout + done.stderr


def context_files() -> set[str]:
    """What `docker build .` sends, by docker-py's implementation of .dockerignore."""
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines()]
    return set(exclude_paths(str(ROOT), [p for p in patterns if p and not p.startswith("#")]))


def test_the_build_context_holds_the_sources_and_nothing_else() -> None:
    sent = context_files()
    for copy in args_of("COPY"):
        if not copy.startswith("--from"):
            source = shlex.split(copy)[0]
            assert source in sent or any(f.startswith(source + "/") for f in sent), source
    for kept_out in (".venv", "var", ".git", ".cache", "tests", "infra/docker/secrets.env", "bench"):
        assert not any(f == kept_out or f.startswith(kept_out + "/") for f in sent), kept_out
    assert not [f for f in sent if "__pycache__" in f or f.endswith(".pyc")]


# Packages pyproject.toml ships that the services never import: the test stack and fault scenarios.
NOT_IN_IMAGE = {"harness", "faults"}


def test_the_builder_copies_every_package_the_services_may_import() -> None:
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packages = {pattern.rstrip("*") for pattern in find["include"]} - NOT_IN_IMAGE
    copied = {shlex.split(copy)[0] for copy in args_of("COPY", 0)}
    assert packages <= copied, f"add COPY lines (and .dockerignore exceptions) for {packages - copied}"


def test_image_environment_names_real_settings() -> None:
    known = set().union(*(setting_names(c) for c in (IngestSettings, ProcessorSettings, SinkSettings)))
    names = {m for env in args_of("ENV") for m in re.findall(r"(?:^|\s)([A-Z][A-Z0-9_]*)=", env)}
    unknown = {n for n in names - known if n != "PATH" and not n.startswith(("PYTHON", "PIP_"))}
    assert not unknown, f"ENV names no setting of any service: {unknown}"


def hadolint(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    script = ROOT / "infra" / "tools" / "hadolint.sh"
    found = subprocess.run([str(script)], capture_output=True, text=True, check=False)
    assert found.returncode == 0, f"infra/tools/hadolint.sh could not install hadolint:\n{found.stderr}"
    command = [found.stdout.strip(), "--no-color", "--format", "json", "--config", DOCKER / "hadolint.yaml"]
    return subprocess.run([*command, *args], input=stdin, capture_output=True, text=True, check=False,
                          timeout=60)


@pytest.mark.timeout(180)
def test_hadolint_finds_nothing_and_would_find_a_root_user() -> None:
    clean = hadolint(str(DOCKERFILE))
    assert clean.returncode == 0 and json.loads(clean.stdout) == [], clean.stdout + clean.stderr
    rooted = DOCKERFILE.read_text().replace("USER 10001:10001", "USER root")
    codes = {finding["code"] for finding in json.loads(hadolint("-", stdin=rooted).stdout)}
    assert "DL3002" in codes, codes


def replay_builder(src: Path, venv: Path) -> None:
    """The builder stage's COPY and pip steps, in ``src`` with ``venv`` standing for /opt/venv."""
    sent = sorted(context_files())
    for copy in args_of("COPY", 0):
        *sources, dest = shlex.split(copy)
        for source in sources:
            target = src / dest / Path(source).name if dest.endswith("/") else src / dest
            for name in sent:
                inside = name.startswith(source + "/")
                if (name == source or inside) and (ROOT / name).is_file():
                    out = target / name[len(source) + 1 :] if inside else target
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / name, out)
    for run in args_of("RUN", 0):
        if run.startswith("pip "):
            env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(Path.home()),
                   "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", run], cwd=src, env=env,
                                  capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"RUN {run}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        else:
            assert run.startswith("apt-get ") or run == "python -m venv /opt/venv", f"not replayed: {run}"


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_the_lock_installs_with_hashes_and_runs_the_services(tmp_path: Path) -> None:
    assert f"{sys.version_info[0]}.{sys.version_info[1]}" == lock_python(LOCK), "run under the lock's Python"
    venv, src = tmp_path / "venv", tmp_path / "src"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    replay_builder(src, venv)
    python = str(venv / "bin" / "python")
    imports = "import ingest.main, processors.main, sink.main, sink.migrate, deploy; print('imported')"
    done = subprocess.run([python, "-c", imports], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "imported", done.stderr
    database = f"sqlite:///{tmp_path / 'migrated.db'}"
    migrated = subprocess.run([python, "-m", "sink.migrate", "upgrade", "--url", database], cwd=tmp_path,
                              capture_output=True, text=True, check=False)
    assert migrated.returncode == 0, migrated.stderr
    # The runtime stage's /app: config/ in the working directory, as `deploy config check` expects.
    app = tmp_path / "app"
    shutil.copytree(ROOT / "config", app / "config")
    secrets = {"DATABASE_URL": "mysql+pymysql://sqllint:pw@mariadb:3306/sqllint", "OPERATOR_TOKEN": "t0ken"}
    checked = subprocess.run([python, "-m", "deploy", "config", "check", "dev"], cwd=app, capture_output=True,
                             text=True, check=False, env={"PATH": "/usr/bin:/bin", **secrets})
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.integration
@pytest.mark.timeout(240)
def test_the_sdist_only_packages_build_with_the_locked_backends(tmp_path: Path) -> None:
    """What arm64 builds from source (lock.sh's SDIST_ONLY), built here the builder's way."""
    match = re.search(r"^SDIST_ONLY=\(([^)]*)\)", (DOCKER / "lock.sh").read_text(), re.MULTILINE)
    assert match and match[1].split(), "lock.sh names no SDIST_ONLY package"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "pip"), "install", "-q", "--require-hashes", "--no-deps"]
    subprocess.run([*pip, "-r", str(BUILD_LOCK)], check=True, capture_output=True)
    pins = locked(LOCK)
    for name in map(canonicalize_name, match[1].split()):
        version, hashes = pins[name]
        requirement = tmp_path / f"{name}.txt"
        requirement.write_text(f"{name}=={version} " + " ".join(f"--hash=sha256:{h}" for h in hashes) + "\n")
        # No cache: pip would reuse a wheel it built before instead of building.
        built = subprocess.run([*pip, "--no-cache-dir", "--no-build-isolation", "--no-binary", name, "-r",
                                str(requirement), "--verbose"],
                               capture_output=True, text=True, check=False)
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
        assert f"Building wheel for {name}" in built.stdout, built.stdout[-3000:]
        listed = subprocess.run([str(venv / "bin" / "pip"), "list", "--format", "json"], capture_output=True,
                                text=True, check=True)
        assert {"name": name, "version": version} in [
            {"name": canonicalize_name(p["name"]), "version": p["version"]} for p in json.loads(listed.stdout)
        ]
