"""
Secrets and signatures as the Standard Webhooks spec has them, so receivers
can verify with any of its libraries: a secret is ``whsec_`` and the base64
of random bytes; the signature is ``v1,`` and the base64 HMAC-SHA256, keyed
with the decoded secret, of ``{id}.{timestamp}.{body}``.

The secret is kept as it is (a signature needs the key itself, unlike an API
key, which only needs checking) and stays retrievable by those who may
change subscriptions.
"""

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def secret_new() -> str:
    # 24 bytes: within the spec's 24 to 64.
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, *, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()
