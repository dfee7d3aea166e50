"""The full HSDS export, streamed: a JSON array of fully nested services, written batch by batch.

The array is what `/services/{id}` returns for each service, so the file can be imported again
(`parse.parse_hsds`). Memory stays at one batch whatever the size of the export, and the first
bytes leave after the first batch (PERFORMANCE.md, "HSDS export (issue 15)").
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from . import selectors, serialize

BATCH_SIZE = 500

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def stream(center=None, *, batch_size: int | None = None) -> Iterator[bytes]:
    """The export of `center` (or of every centre) as chunks of UTF-8 JSON, one chunk per batch."""
    opening = b"["
    for batch in selectors.export_batches(center, batch_size=batch_size or BATCH_SIZE):
        body = ",".join(_encoder.encode(serialize.service(f, rel)) for f, rel in batch)
        yield opening + body.encode()
        opening = b","
    yield b"]" if opening == b"," else b"[]"
