"""What the load users send: realistic SQL texts, small ZIPs of them, and the multipart body of an upload.

Every text a user sends gets a first line with a unique tag, so each
submission is new content: the service's result cache (keyed by content)
cannot answer it, and every file is really linted. Some texts follow the
default rules, some break several (each text's expected codes are checked
against SQLFluff by tests/bench/test_load.py). Stdlib only: the locustfile
imports this inside Locust's gevent process.
"""

import io
import uuid
import zipfile

CLEAN = (
    "SELECT\n    order_id,\n    customer_id,\n    total_amount\nFROM orders\nWHERE status = 'shipped'\n",
    "SELECT count(*) AS shipped_orders\nFROM orders\nWHERE shipped_at IS NOT NULL\n",
    "SELECT\n    c.customer_id,\n    sum(o.total_amount) AS revenue\nFROM customers AS c\n"
    "INNER JOIN orders AS o ON c.customer_id = o.customer_id\nGROUP BY c.customer_id\n",
    "UPDATE accounts\nSET balance = balance - 100\nWHERE account_id = 42\n",
)
DIRTY = (
    "select a,b from t where x=1\n",
    "SELECT o.id, c.name FROM orders o JOIN customers c ON o.cust_id=c.id WHERE o.total>100 order by 1\n",
    "SELECT *\nFROM   events e\nwhere e.kind in ('click','view')  \n  AND e.ts > '2024-01-01'\n",
    "insert into audit_log (user_id,action) values (7,'login')\n",
)
TEXTS = CLEAN + DIRTY
ZIP_FILES = 6


def tagged(text: str, tag: str) -> str:
    """``text`` made unique by a leading comment line (a comment breaks no default rule)."""
    return f"-- load {tag}\n{text}"


def new_tag() -> str:
    """A tag no other submission of any run carries."""
    return uuid.uuid4().hex


def sql_body(index: int, tag: str, dialect: str = "ansi") -> dict[str, str]:
    """The JSON body of a single-SQL submission: the ``index``-th text (cycling), tagged."""
    text = TEXTS[index % len(TEXTS)]
    return {"sql_content": tagged(text, tag), "file_name": f"query_{index % len(TEXTS)}.sql",
            "dialect": dialect}


def zip_bytes(tag: str, files: int = ZIP_FILES) -> bytes:
    """A small archive of ``files`` tagged texts, clean and dirty mixed, in folders as a repository has."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(files):
            folder = "reports" if i % 2 else "etl"
            archive.writestr(f"{folder}/q{i:02d}.sql", tagged(TEXTS[i % len(TEXTS)], f"{tag} {i}"))
    return buffer.getvalue()


def multipart(fields: dict[str, str], file_name: str, payload: bytes) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body with ``fields`` and one ``file`` part, and its Content-Type."""
    boundary = f"----sqllint-load-{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            "Content-Type: application/zip\r\n\r\n").encode()
    body = b"".join([*parts, head, payload, f"\r\n--{boundary}--\r\n".encode()])
    return body, f"multipart/form-data; boundary={boundary}"
