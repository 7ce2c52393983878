"""Where a finding's code is explained, so every format can link a reader to the rule's page."""

import re

DOCS = "https://docs.sqlfluff.com/en/stable/reference/rules.html"
ERRORS_DOC = "https://docs.sqlfluff.com/en/stable/reference/rules.html#inline-ignoring-errors"
_RULE_CODE = re.compile(r"[A-Z]{2}[0-9]{2}")
# Codes SQLFluff reports that are not rules (their violations carry no name): what they mean.
NOT_RULES = {"PRS": "unparsable", "TMP": "templating"}


def rule_url(code: str) -> str:
    """The rule's anchor in SQLFluff's rules reference (``#rule-LT01``, the docs' own permalink).

    ``PRS`` (unparsable) and ``TMP`` (templating) are not rules: they link to
    the section that says what they are and how to silence them; any other
    code (a plugin's) links to the reference itself.
    """
    if _RULE_CODE.fullmatch(code):
        return f"{DOCS}#rule-{code}"
    if code in NOT_RULES:
        return ERRORS_DOC
    return DOCS
