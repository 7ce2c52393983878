"""``sqlfluff fix`` run as a user runs it, on copies of files: what the service's fixes are held to."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import sqlfluff

from schemas.events import LintOptions

# What the service sets for every job (policy.lint_config.lint_overrides) that the command's defaults
# differ on: the raw templater (the command's default renders Jinja) and no silent skip of large files.
SERVICE_DEFAULTS = (
    "[sqlfluff]\ntemplater = raw\nlarge_file_skip_byte_limit = 0\nlarge_file_skip_char_limit = 0\n"
)


def sqlfluff_command() -> str:
    """The venv's ``sqlfluff`` (installed with the project); a clear failure when it is missing."""
    command = Path(sys.executable).with_name("sqlfluff")
    if not command.exists():
        found = shutil.which("sqlfluff")
        assert found, "the sqlfluff command is missing: run make tools (it comes with the project's venv)"
        return found
    return str(command)


def fix_with_cli(files: dict[str, str], options: LintOptions, workdir: Path) -> dict[str, str]:
    """Write ``files`` under ``workdir``, run ``sqlfluff fix`` on them, return what it left on disk.

    From SQLFluff 3.0 fix applies without asking (``-f`` is deprecated); before, ``-f`` is needed.
    The hash seed is the lint processes' (LT07 depends on it), the config the service's defaults.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / ".sqlfluff").write_text(SERVICE_DEFAULTS)
    for name, text in files.items():
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        (workdir / name).write_bytes(text.encode())
    args = [sqlfluff_command(), "fix", "--dialect", options.dialect, "--disable-progress-bar"]
    if int(sqlfluff.__version__.split(".")[0]) < 3:
        args.append("-f")
    if options.rules:
        args += ["--rules", ",".join(options.rules)]
    if options.exclude_rules:
        args += ["--exclude-rules", ",".join(options.exclude_rules)]
    done = subprocess.run(
        [*args, *files], cwd=workdir, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert done.returncode in (0, 1), f"sqlfluff fix failed: {done.stderr}"
    return {name: (workdir / name).read_bytes().decode() for name in files}
