"""The lint-cache key: what makes two lints certain to give the same result.

Only the file's content, the job's lint options and the SQLFluff version go
in; the file name does not (with the raw templater SQLFluff never reads it),
so the same file under another path or in another job is a hit.
"""

import hashlib
import json

from schemas.events import LintOptions


def canonical_options(options: LintOptions) -> str:
    """Options as JSON with sorted keys and no whitespace: equal options, equal text."""
    return json.dumps(options.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def cache_key(sql: str, options: LintOptions, sqlfluff_version: str) -> str:
    """Hex sha256 over (version, options, content).

    The header is JSON on one line (JSON escapes newlines), so the newline
    after it separates it unambiguously from the content that follows.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps([sqlfluff_version, canonical_options(options)]).encode())
    digest.update(b"\n")
    digest.update(sql.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
