"""The SQL files a run lints, and the variants scenarios need (fresh, changed, cycled).

Every variant is new text that no earlier run (and no result cache) has seen:
a unique comment line is appended, which SQLFluff lints like any other line.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

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
        """The files as a deflated ZIP, as a user would upload them."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in self.files.items():
                zf.writestr(name, text)
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


def _append(text: str, line: str) -> str:
    return f"{text}{'' if text.endswith(chr(10)) else chr(10)}{line}\n"
