"""Redaction: secrets never reach an audit record in clear; they are replaced by `sha256:<hex>`.

Replaced in structured data (`redact_value`):
- every value under a container map key: `Environment`, `HyperParameters`, `StaticHyperParameters`
  (the variable names stay, the values go);
- every value under a key whose name looks secret (password, secret, token, api key, access key,
  private key, credential, session token...), except keys naming an ARN;
- every string that contains something that looks like a secret: an AWS access key id (AKIA/ASIA...),
  an AWS secret access key, a JWT, a PEM private key, a GitHub or Slack token, a password in a URL.
In free text (`redact_text`: violation messages, errors) only the secret-looking part is replaced.

The digest of a string is sha256 of its UTF-8 bytes; of any other value, of its RFC 8785 JSON. A digest
lets an auditor check a value they already know; it is not encryption (short secrets can be guessed).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from guardrails.canonical import canonical_bytes

CONTAINER_MAP_KEYS = frozenset({"environment", "hyperparameters", "statichyperparameters"})
SECRET_KEY = re.compile(
    r"passw(?:or)?d|passphrase|secret|token|apikey|accesskey|privatekey|credential|session(?:token|key|id)"
    r"|authorization|cookie|connectionstring"
)
_KEY_CHARS = re.compile(r"[^a-z0-9]")
_SECRET_VALUE = re.compile(
    r"(?P<keyid>(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9]))"
    r"|(?P<secretkey>(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=]))"
    r"|(?P<jwt>eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)"
    r"|(?P<pem>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|\Z))"
    r"|(?P<token>\b(?:gh[pousr]_[A-Za-z0-9]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}))"
    r"|(?P<urlpassword>(?<=://)[^/\s:@]+:[^/\s@]+(?=@))",
    re.DOTALL,
)


# Cheap necessary conditions checked before the full pattern (which is ~10x slower on plain text).
_MAYBE_SECRET = (
    re.compile(r"AKIA|ASIA|eyJ|-----BEGIN|gh[pousr]_|xox[abprs]-|://"),
    re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"),
)


def _may_hold_secret(text: str) -> bool:
    return any(p.search(text) for p in _MAYBE_SECRET)


def digest(value: Any) -> str:
    """`sha256:<hex>` of a string's UTF-8 bytes, or of another value's canonical JSON."""
    data = value.encode("utf-8") if isinstance(value, str) else canonical_bytes(value)
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _is_secret(match: re.Match[str]) -> bool:
    if match.lastgroup != "secretkey":
        return True
    text = match.group(0)
    # 40 base64 characters; rule out paths and single-case identifiers (git SHAs, hex, words).
    return (
        not text.startswith("/")
        and text.count("/") <= 3
        and any(c.isupper() for c in text)
        and any(c.islower() for c in text)
        and any(c.isdigit() for c in text)
    )


def looks_secret(text: str) -> bool:
    """True when the string contains a credential-like substring."""
    return _may_hold_secret(text) and any(_is_secret(m) for m in _SECRET_VALUE.finditer(text))


def redact_text(text: str | None) -> str | None:
    """Free text with every secret-looking substring replaced by its digest."""
    if not text or not _may_hold_secret(text):
        return text
    return _SECRET_VALUE.sub(lambda m: digest(m.group(0)) if _is_secret(m) else m.group(0), text)


def is_secret_key(key: str) -> bool:
    name = _KEY_CHARS.sub("", key.lower())
    return bool(SECRET_KEY.search(name)) and not name.endswith("arn")


def redact_value(value: Any) -> Any:
    """A copy of JSON-like `value` with secrets replaced by digests (see the module docstring)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            safe_key = key if not (isinstance(key, str) and looks_secret(key)) else digest(key)
            if isinstance(key, str) and (
                _KEY_CHARS.sub("", key.lower()) in CONTAINER_MAP_KEYS or is_secret_key(key)
            ):
                out[safe_key] = _digest_leaves(item)
            else:
                out[safe_key] = redact_value(item)
        return out
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    if isinstance(value, str) and looks_secret(value):
        return digest(value)
    return value


def _digest_leaves(value: Any) -> Any:
    """Keep the shape (map keys, list lengths), replace every scalar but null by its digest."""
    if isinstance(value, dict):
        return {(digest(k) if looks_secret(k) else k): _digest_leaves(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_digest_leaves(item) for item in value]
    if value is None:
        return None
    return digest(value)
