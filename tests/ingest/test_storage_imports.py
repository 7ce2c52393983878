"""A ``zip_file_path`` reaches only its tenant's import area; a probe cannot tell "not yours" from "missing".

The tree is real: files, other tenants' areas, the service's own ``jobs/`` and
``incoming/`` folders, and symlinks out of the area to each of them.
"""

import os
import uuid
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pydantic import ValidationError

from ingest.errors import RequestRejectedError
from ingest.settings import IngestSettings
from ingest.storage import Storage
from schemas.error_codes import http_status
from schemas.events import DEFAULT_TENANT
from tests.ingest.conftest import make_zip

ZIP = (".zip",)
JOB = str(uuid.uuid4())


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    root = tmp_path / "root"
    area, acme = root / "imports" / DEFAULT_TENANT, root / "imports" / "acme"
    for folder in (area / "batch", area / "dir", acme, root / "jobs" / JOB, root / "incoming"):
        folder.mkdir(parents=True)
    make_zip(area / "batch" / "q.zip", {"a.sql": "select 1\n"})
    (area / "a.sql").write_text("select 1\n")
    make_zip(acme / "theirs.zip", {"t.sql": "select 2\n"})
    make_zip(root / "jobs" / JOB / "upload.zip", {"u.sql": "select 3\n"})
    make_zip(root / "incoming" / "staged.zip", {"s.sql": "select 4\n"})
    make_zip(root / "top.zip", {"r.sql": "select 5\n"})
    make_zip(tmp_path / "secret.zip", {"x.sql": "select 6\n"})
    links = {
        "inside.zip": area / "batch" / "q.zip",
        "escape.zip": tmp_path / "secret.zip",
        "up": tmp_path,
        "other.zip": acme / "theirs.zip",
        "acme": acme,
        "job.zip": root / "jobs" / JOB / "upload.zip",
        "jobs": root / "jobs",
        "staged": root / "incoming",
        "top-link.zip": root / "top.zip",
        "loop.zip": area / "loop.zip",
    }
    for name, target in links.items():
        os.symlink(target, area / name)
    return Storage(root)


def answer(storage: Storage, path: str, tenant: str = DEFAULT_TENANT) -> tuple[str, int, str]:
    with pytest.raises(RequestRejectedError) as info:
        storage.resolve_user_path(path, ZIP, tenant)
    return info.value.code, http_status(info.value.code), str(info.value)


def not_found(path: str) -> tuple[str, int, str]:
    """Exactly what a file that does not exist gets, for the same path."""
    return "FILE_NOT_FOUND", 404, f"no file at {path} in the import area"


async def test_a_path_is_relative_to_the_tenants_area(storage: Storage) -> None:
    own = storage.root / "imports" / DEFAULT_TENANT / "batch" / "q.zip"
    for path in ("batch/q.zip", "./batch//q.zip", "batch\\q.zip", "inside.zip"):
        assert storage.resolve_user_path(path, ZIP, DEFAULT_TENANT) == own
    assert await storage.locate("batch/q.zip", ZIP, DEFAULT_TENANT) == "imports/default/batch/q.zip"
    assert await storage.locate("theirs.zip", ZIP, "acme") == "imports/acme/theirs.zip"


@pytest.mark.parametrize(
    "path",
    [
        "escape.zip",  # a symlink out of the root
        "up/secret.zip",  # a folder link out of the root
        "other.zip",  # into another tenant's area
        "acme/theirs.zip",
        "job.zip",  # into the service's own job folders
        "jobs/" + JOB + "/upload.zip",
        "staged/staged.zip",  # into the staged uploads
        "top-link.zip",  # to the root itself, outside every area
        "loop.zip",  # a symlink to itself
        "imports/default/batch/q.zip",  # the root-relative name is not how a client names it
        "top.zip",
        "nope/none.zip",
        "n" * 5000 + ".zip",  # longer than the file system allows
    ],
)
def test_outside_the_area_is_the_same_as_missing(storage: Storage, path: str) -> None:
    shown = path if len(path) <= 200 else path[:200] + "..."
    assert answer(storage, path) == not_found(shown)


def test_another_tenant_cannot_name_what_is_there_for_default(storage: Storage) -> None:
    assert answer(storage, "batch/q.zip", "acme") == not_found("batch/q.zip")
    assert answer(storage, "../default/batch/q.zip", "acme")[:2] == ("UNSAFE_PATH", 400)
    assert answer(storage, "q.zip", "nobody") == not_found("q.zip")  # a tenant without an area


@pytest.mark.parametrize(
    ("there", "not_there"),
    [
        ("../acme/theirs.zip", "../acme/none.zip"),
        ("batch/../../acme/theirs.zip", "batch/../../acme/none.zip"),
        ("..\\acme\\theirs.zip", "..\\acme\\none.zip"),
        ("/etc/passwd", "/etc/none"),
        ("C:/top.zip", "C:/none.zip"),
    ],
)
def test_unsafe_as_written_is_judged_on_the_text_alone(storage: Storage, there: str, not_there: str) -> None:
    assert answer(storage, there) == answer(storage, not_there)
    assert answer(storage, there)[:2] == ("UNSAFE_PATH", 400)


@pytest.mark.parametrize("path", ["", "a\x00.zip"])
def test_empty_and_nul_are_unsafe(storage: Storage, path: str) -> None:
    assert answer(storage, path)[:2] == ("UNSAFE_PATH", 400)


def test_wrong_type_only_inside_the_area(storage: Storage) -> None:
    assert answer(storage, "a.sql")[:2] == ("UNSUPPORTED_FILE_TYPE", 400)
    assert answer(storage, "dir")[:2] == ("UNSUPPORTED_FILE_TYPE", 400)
    assert answer(storage, "up")[:2] == ("FILE_NOT_FOUND", 404)  # a folder, but outside


def test_an_area_that_is_itself_a_link_still_keeps_out_of_the_service_folders(storage: Storage) -> None:
    """An operator may mount a tenant's area as a link; one pointing at jobs/ or away reads nothing."""
    os.symlink(storage.root / "jobs", storage.root / "imports" / "evil")
    assert answer(storage, JOB + "/upload.zip", "evil") == not_found(JOB + "/upload.zip")
    os.symlink(storage.root.parent, storage.root / "imports" / "away")
    assert answer(storage, "secret.zip", "away") == not_found("secret.zip")
    os.symlink(storage.root / "imports" / "acme", storage.root / "imports" / "mounted")
    assert storage.resolve_user_path("theirs.zip", ZIP, "mounted").name == "theirs.zip"


def test_the_import_folder_setting(tmp_path: Path) -> None:
    area = Storage(tmp_path, "shares").import_area("acme")
    assert area == tmp_path.resolve() / "shares" / "acme"
    for reserved in ("jobs", "incoming", ".", "..", "", "a/b"):
        with pytest.raises(ValueError, match="import folder"):
            Storage(tmp_path, reserved)
    with pytest.raises(ValidationError):
        Storage(tmp_path).import_area("../jobs")


@pytest.mark.parametrize("reserved", ["jobs", "incoming", ".", ".."])
def test_the_setting_refuses_the_services_own_folders_at_start(reserved: str) -> None:
    """Caught by the settings, so the ingest exits 2 naming IMPORTS_DIR, not later in create_app."""
    with pytest.raises(ValidationError, match="imports_dir"):
        IngestSettings(imports_dir=reserved)


@pytest.mark.integration
async def test_over_http_a_probe_gets_the_same_answer_whether_or_not_the_target_exists(
    client: TestClient[web.Request, web.Application], settings: IngestSettings
) -> None:
    """The same link to another tenant's ZIP: answered alike while the ZIP is there and once it is gone."""
    root = settings.nfs_share_root_path
    area, theirs = root / "imports" / DEFAULT_TENANT, root / "imports" / "acme" / "theirs.zip"
    area.mkdir(parents=True)
    theirs.parent.mkdir(parents=True)
    make_zip(theirs, {"t.sql": "select 1\n"})
    os.symlink(theirs, area / "probe.zip")
    answers = []
    for _ in range(2):
        resp = await client.post("/api/v1/jobs", json={"zip_file_path": "probe.zip"})
        answers.append((resp.status, await resp.json()))
        theirs.unlink(missing_ok=True)  # the second probe finds nothing at the end of the link
    assert answers[0] == answers[1]
    assert answers[0] == (404, {"error": {"code": "FILE_NOT_FOUND", "message": not_found("probe.zip")[2]}})
