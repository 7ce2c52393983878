"""The document's security is the access table the middleware enforces, as this server is set."""

from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from ingest import openapi
from ingest.access_rules import PUBLIC, RULES
from ingest.app import create_app
from ingest.settings import IngestSettings
from runtime.access import Ability

CONTROL = "/api/v1/monitoring/workers/{worker_id}/control"


def _document(tmp_path: Path, auth_required: bool) -> dict[str, Any]:
    settings = IngestSettings(database_url=f"sqlite:///{tmp_path / 'x.db'}", nfs_share_root_path=tmp_path,
                              auth_required=auth_required)
    document = openapi.build_document(create_app(settings))
    OpenAPIV31SpecValidator(document).validate()
    return document


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    paths = document["paths"].items()
    return {(method.upper(), path): op for path, item in paths for method, op in item.items()}


@pytest.mark.parametrize("auth_required", [True, False])
def test_each_operation_declares_what_the_middleware_enforces(tmp_path: Path, auth_required: bool) -> None:
    document = _document(tmp_path, auth_required)
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for key, operation in _operations(document).items():
        need = RULES[key]
        if need == PUBLIC:
            assert operation["security"] == [], key
            assert not {"401", "403"} & set(operation["responses"]), key
            continue
        assert operation["x-ability"] == need.value, key
        optional = not auth_required and need is not Ability.CONTROL
        assert operation["security"] == [{"bearerAuth": []}, *([{}] if optional else [])], key
        assert "WWW-Authenticate" in operation["responses"]["401"]["headers"], key
        codes = operation["responses"]["403"]["content"]["application/json"]["schema"]["properties"]
        assert "FORBIDDEN" in codes["error"]["properties"]["code"]["enum"], key


def test_control_is_never_optional(tmp_path: Path) -> None:
    for auth_required in (True, False):
        control = _document(tmp_path, auth_required)["paths"][CONTROL]["post"]
        assert control["security"] == [{"bearerAuth": []}]
