"""docs/security.md's roles table is what ``runtime.access.ABILITIES`` grants, and names every setting."""

from pathlib import Path

from ingest.settings import IngestSettings
from runtime.access import ABILITIES, Ability, Principal, Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def roles_table() -> str:
    """The table as the section must print it: one row per role, one column per ability."""
    head = "| Role | " + " | ".join(ability.value for ability in Ability) + " | all tenants |"
    rule = "|---" * (len(Ability) + 2) + "|"
    rows = [
        f"| {role.value} | "
        + " | ".join("yes" if ability in ABILITIES[role] else "no" for ability in Ability)
        + f" | {'yes' if Principal('any', role).all_tenants else 'no'} |"
        for role in Role
    ]
    return "\n".join([head, rule, *rows])


def _section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## API keys and roles\n")
    return text[start:text.index("\n## ", start + 1)]


def test_the_roles_table_is_abilities() -> None:
    assert roles_table() in _section()


def test_the_section_names_its_settings_and_their_defaults() -> None:
    section = _section()
    fields = IngestSettings.model_fields
    assert f"`INGEST_AUTH_CACHE_S` (default {fields['auth_cache_s'].default:g} s)" in section
    assert "`AUTH_REQUIRED` (default true)" in section and fields["auth_required"].default is True
    assert "`OPERATOR_TOKEN`" in section and "`SQLLINT_API_KEY`" in section
