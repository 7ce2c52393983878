"""The SQL files a run lints, and the variants scenarios need (fresh, changed, cycled, long).

Every variant is new text that no earlier run (and no result cache) has seen:
a unique comment line is appended, which SQLFluff lints like any other line.

The fixtures' statements are short (the shared corpora have one statement of
50+ lines among 588 files), so the slower corpus that the first-pass target
also asks for is made from them, deterministically: ``python -m bench.corpus
long var/bench/long`` writes files of long statements, each a chain of the
source's SELECT statements as common table expressions, then ``make bench
BENCH_ARGS="throughput --corpus var/bench/long"`` lints it (ansi: the sources
are the ansi fixtures, ``--from`` names others).
"""

import argparse
import io
import re
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

# Every member's time in our ZIPs (the ZIP format's earliest): equal files, equal bytes.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "ansi"
# SQLFluff's own fixtures, kept in the repository: there even where the shared corpus is not.
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "data" / "sql" / "ansi"
# The CLI must lint what the service lints: raw templater (the service's default) and no 20 KB skip.
SQLFLUFF_CONFIG = (
    "[sqlfluff]\ntemplater = raw\nlarge_file_skip_byte_limit = 0\nlarge_file_skip_char_limit = 0\n"
)


@dataclass(frozen=True)
class Corpus:
    """Relative POSIX path -> SQL text."""

    files: dict[str, str]

    @classmethod
    def load(cls, folder: Path) -> "Corpus":
        """Every ``*.sql`` file under ``folder``, recursively."""
        found = sorted(p for p in folder.rglob("*.sql") if p.is_file())
        if not found:
            raise FileNotFoundError(f"no .sql files under {folder}")
        return cls({p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in found})

    def __len__(self) -> int:
        return len(self.files)

    @property
    def lines(self) -> int:
        """Lines as an editor counts them (a last line without newline counts)."""
        return sum(text.count("\n") + (not text.endswith("\n")) for text in self.files.values())

    @property
    def size(self) -> int:
        """Bytes of SQL, UTF-8."""
        return sum(len(t.encode()) for t in self.files.values())

    def tagged(self, tag: str) -> "Corpus":
        """Every file with a comment line naming ``tag``: new content, same lint work."""
        return Corpus({name: _append(text, f"-- bench {tag}") for name, text in self.files.items()})

    def changed(self, fraction: float, tag: str) -> "Corpus":
        """The first ``fraction`` of the files (at least one) with one more comment line."""
        count = max(1, round(len(self) * fraction))
        names = sorted(self.files)[:count]
        return Corpus({n: _append(t, f"-- changed {tag}") if n in names else t
                       for n, t in self.files.items()})

    def cycled(self, total: int, tag: str) -> "Corpus":
        """``total`` files: the corpus repeated, each copy in its own folder with a distinct comment."""
        names = sorted(self.files)
        out = {}
        for i in range(total):
            name = names[i % len(names)]
            out[f"copy{i // len(names):03d}/{name}"] = _append(self.files[name], f"-- bench {tag} copy {i}")
        return Corpus(out)

    def zip_bytes(self) -> bytes:
        """The files as a deflated ZIP, as a user would upload them.

        Each member carries a fixed time, as the ``sqllint`` client's ZIP of an unchanged
        tree carries unchanged file times: the same files give the same bytes, which is
        what an archive-level cache recognises (``writestr`` would stamp the current time).
        """
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in self.files.items():
                zf.writestr(zipfile.ZipInfo(name, date_time=FIXED_TIME), text, zipfile.ZIP_DEFLATED)
        return buf.getvalue()

    def write(self, folder: Path) -> Path:
        """The files as a folder for the CLI, with the ``.sqlfluff`` that matches the service."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (folder / ".sqlfluff").write_text(SQLFLUFF_CONFIG)
        return folder


def _selects(source: Corpus) -> list[str]:
    """The source's SELECT statements in file-name order, comment lines dropped, each whole.

    A piece of a ``;`` split with an odd number of quotes or unbalanced brackets was
    cut inside a literal or an expression: it is left out, not guessed at.
    """
    found = []
    for name in sorted(source.files):
        text = "\n".join(ln for ln in source.files[name].splitlines() if not ln.lstrip().startswith("--"))
        for piece in text.split(";"):
            stmt = textwrap.dedent(piece.strip("\n")).strip()
            whole = stmt.count("'") % 2 == 0 and stmt.count("(") == stmt.count(")") and '"' not in stmt
            if whole and re.match(r"select\b", stmt, re.IGNORECASE):
                found.append(stmt)
    if not found:
        raise ValueError("the source has no SELECT statements to build long ones from")
    return found


def long_statements(source: Corpus, files: int = 60, min_lines: int = 50) -> Corpus:
    """``files`` files of one statement of at least ``min_lines`` lines: the source's SELECTs as CTEs.

    Deterministic: the same source gives the same files. The selects are taken in
    turn, so consecutive files hold different ones (and a small source's repeat
    differs in its CTE names).
    """
    selects = _selects(source)
    out, turn = {}, 0
    for i in range(files):
        ctes: list[str] = []
        lines = 1
        while lines < min_lines:
            body = textwrap.indent(selects[turn % len(selects)], "    ")
            turn += 1
            ctes.append(f"f{i}_c{len(ctes)} as (\n{body}\n)")  # names unique per file: no two files alike
            lines += body.count("\n") + 2
        out[f"long_{i:03d}.sql"] = "with " + ",\n".join(ctes) + f"\nselect * from f{i}_c{len(ctes) - 1};\n"
    return Corpus(out)


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.corpus long OUT [--from DIR] [--files N] [--min-lines N]``."""
    p = argparse.ArgumentParser(prog="python -m bench.corpus", description=long_statements.__doc__)
    p.add_argument("kind", choices=["long"])
    p.add_argument("out", type=Path, help="folder to write (created)")
    p.add_argument("--from", dest="source", type=Path, default=None,
                   help=f"folder of .sql sources; default: {DEFAULT_CORPUS}, else {FIXTURES}")
    p.add_argument("--files", type=int, default=60)
    p.add_argument("--min-lines", type=int, default=50)
    args = p.parse_args(argv)
    source = args.source or (DEFAULT_CORPUS if DEFAULT_CORPUS.is_dir() else FIXTURES)
    made = long_statements(Corpus.load(source), args.files, args.min_lines)
    for name, text in made.files.items():
        (args.out / name).parent.mkdir(parents=True, exist_ok=True)
        (args.out / name).write_text(text, encoding="utf-8")
    print(f"{len(made)} files, {made.lines} lines from {source} in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def _append(text: str, line: str) -> str:
    return f"{text}{'' if text.endswith(chr(10)) else chr(10)}{line}\n"
