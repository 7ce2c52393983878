"""Generates the JSON Schemas of the public topics into ``schemas/jsonschema/``.

Outside producers (jobs topic) and consumers (lint-results topic) validate
against these files, so they are committed, and a test fails when the
classes change without the files being regenerated:
``python -m schemas.jsonschema_export``.
"""

import json
import sys
from pathlib import Path

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from schemas.events import DeadLetter, JobSubmitted, LintResult

SCHEMA_DIR = Path(__file__).with_name("jsonschema")
# Producers write jobs, so its schema is the input ("validation") one where
# defaulted fields may be left out; consumers read the others as we emit them.
PUBLIC_SCHEMAS: dict[str, tuple[type[BaseModel], JsonSchemaMode]] = {
    "jobs.job-submitted.v1.schema.json": (JobSubmitted, "validation"),
    "lint-results.lint-result.v1.schema.json": (LintResult, "serialization"),
    "dead-letter.dead-letter.v1.schema.json": (DeadLetter, "serialization"),
}


def render(model: type[BaseModel], mode: JsonSchemaMode) -> str:
    """The schema text of one event class, stable for diffs."""
    schema = model.model_json_schema(mode=mode)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"urn:sqllint:{model.model_fields['event_type'].default}:v1"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main() -> int:
    """Write every public schema; exit 0."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    for file_name, (model, mode) in PUBLIC_SCHEMAS.items():
        (SCHEMA_DIR / file_name).write_text(render(model, mode), encoding="utf-8")
        print(SCHEMA_DIR / file_name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
