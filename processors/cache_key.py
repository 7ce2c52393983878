"""The lint-cache key: what makes two lints certain to give the same result, for one tenant.

Only the file's content, the job's lint options, the SQLFluff version and the
tenant go in; the file name does not (with the raw templater SQLFluff never
reads it), so the same file under another path or in another job of the same
tenant is a hit. The tenant is in the key so that a hit never tells one tenant
that another linted this exact text (docs/security.md, Fair share and lint budget).
"""

import hashlib
import json

from schemas.events import DEFAULT_TENANT, LintOptions


def canonical_options(options: LintOptions) -> str:
    """Options as JSON with sorted keys and no whitespace: equal options, equal text."""
    return json.dumps(options.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def cache_key(sql: str, options: LintOptions, sqlfluff_version: str, tenant: str | None = None) -> str:
    """Hex sha256 over (version, options[, tenant], content).

    The header is JSON on one line (JSON escapes newlines), so the newline
    after it separates it unambiguously from the content that follows. The
    default tenant's header keeps its two-element form, so the entries already
    in the compacted cache topic (all the default tenant's) stay hits; any
    other tenant's header has three elements and can never equal it.
    """
    header: list[str] = [sqlfluff_version, canonical_options(options)]
    if tenant is not None and tenant != DEFAULT_TENANT:
        header.append(tenant)
    digest = hashlib.sha256()
    digest.update(json.dumps(header).encode())
    digest.update(b"\n")
    digest.update(sql.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
