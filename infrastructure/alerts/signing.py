"""Webhook signatures: HMAC-SHA256 over the timestamp and the body.

A delivery carries `Jaga-Signature: t=<unix seconds>,v1=<hex>`, where hex is
HMAC-SHA256(secret, "<t>." + body). A receiver checks it with `verify` (standard
library only, so it can be copied as is): the signature must match, and the
timestamp must be recent, so a delivery captured and sent again later is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Jaga-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether `body` was signed with `secret` no more than `tolerance` seconds
    from now (either way)."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)
