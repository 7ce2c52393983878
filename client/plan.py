"""From the command's paths to the jobs it submits: one job per distinct configuration.

The service applies one config to a whole job, while ``sqlfluff`` resolves a
config per folder. Files are therefore grouped by the config text (and
dialect) that applies to them: one group, one job, so every file is linted
with the settings ``sqlfluff`` would have used for it. Paths inside an
archive are kept relative to the group's common folder, and every record is
mapped back to the path the user would see from ``sqlfluff lint``.
"""

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from client.discover import sql_files
from client.job_config import JobConfig, job_config
from client.sqlfluff_config import layers_for


class UsageError(ValueError):
    """The command line names something the command cannot lint."""


@dataclass
class Job:
    """One submission: a user's ZIP as it is, or the files of one config group."""

    config: JobConfig
    files: list[tuple[str, Path]] = field(default_factory=list)
    archive: Path | None = None

    def upload(self, workdir: Path) -> tuple[Path, dict[str, str]]:
        """The file to send and how its record paths map back to the user's paths."""
        if self.archive is not None:
            return self.archive, {}
        if len(self.files) == 1:
            display, path = self.files[0]
            return path, {path.name: display}
        base = Path(os.path.commonpath([path.parent for _, path in self.files]))
        members = {path.relative_to(base).as_posix(): (display, path) for display, path in self.files}
        target = workdir / f"{len(list(workdir.iterdir()))}-{base.name or 'sql'}.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for member, (_, path) in sorted(members.items()):
                zf.write(path, member)
        return target, {member: display for member, (display, _) in members.items()}


@dataclass
class Planner:
    """Where configs are looked up: the working directory, home, and an explicit ``--config``."""

    cwd: Path
    home: Path
    extra: Path | None = None
    _by_folder: dict[Path, JobConfig] = field(default_factory=dict)

    def config(self, target: Path) -> JobConfig:
        """The config that applies to ``target``'s folder (computed once per folder)."""
        folder = target.absolute() if target.is_dir() else target.absolute().parent
        if folder not in self._by_folder:
            self._by_folder[folder] = job_config(layers_for(folder, self.cwd, self.home, self.extra))
        return self._by_folder[folder]

    def plan(self, paths: list[str]) -> list[Job]:
        """The jobs for ``paths``: each ZIP alone, the .sql files grouped by their config."""
        jobs: list[Job] = []
        groups: dict[tuple[str, str | None], Job] = {}
        seen: set[Path] = set()
        for path in paths:
            if path.lower().endswith(".zip") and os.path.isfile(path):
                jobs.append(Job(self.config(Path(path)), archive=Path(path)))
                continue
            if not os.path.isdir(path) and not (os.path.isfile(path) and path.lower().endswith(".sql")):
                raise UsageError(f"{path} is not a .sql file, a .zip or a folder")
            for display in sql_files(path, self.cwd):
                absolute = Path(display).resolve()
                if absolute in seen:
                    continue
                seen.add(absolute)
                config = self.config(absolute)
                group = groups.setdefault((config.text, config.dialect), Job(config))
                group.files.append((display, absolute))
        return [*groups.values(), *jobs]
