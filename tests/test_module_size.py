"""A reader should hold a module in their head: about 100 lines, never over 300."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Every package import-linter knows, so a new package cannot slip past the limit.
_PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGES = tuple(_PYPROJECT["tool"]["importlinter"]["root_packages"])
MAX_LINES = 300


def test_no_module_is_over_300_lines() -> None:
    sizes = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for package in PACKAGES
        if (ROOT / package).is_dir()
        for path in (ROOT / package).rglob("*.py")
    }
    assert sizes, "no module found: is the test looking in the right place?"
    over = {name: lines for name, lines in sizes.items() if lines > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines: {over}"
