"""A reader should hold a module in their head: about 100 lines, never over 300."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "schemas",
    "policy",
    "runtime",
    "ingest",
    "processors",
    "sink",
    "client",
    "harness",
    "faults",
    "bench",
    "tests",
)
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
