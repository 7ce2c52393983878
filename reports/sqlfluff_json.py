"""SQLFluff's own ``lint --format json`` shape: the records as the service stores and serves them.

Only the file paths change, when the caller maps them to the user's paths;
every other key is passed through, so tools reading SQLFluff's output keep working.
"""

import json

from reports.model import Report


def render(report: Report) -> str:
    """The records as a JSON array, indented as ``sqllint --format json`` always printed them."""
    return json.dumps([file.record for file in report.files], indent=2)
