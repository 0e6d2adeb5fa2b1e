"""Signing keys: a MAC on every stored record and seal, so that writing to the store is not enough to forge.

Keys are named by URL (`--audit-key`, `audit.signing_key`, or the `GUARDRAILS_AUDIT_KEY` environment
variable, in that order):

- `file://path`: a local HMAC-SHA256 secret of at least 32 bytes. A file of hex text (what
  `guardrails audit keygen` writes) is decoded; any other content is the secret as is. The file must not
  be readable or writable by group or others (mode 0600).
- `kms://<key id | key ARN | alias/name | alias ARN>`: an AWS KMS HMAC key (`HMAC_256`,
  `GENERATE_VERIFY_MAC`). Writers need `kms:GenerateMac`, verifiers `kms:VerifyMac`.

What is signed (HMAC_SHA_256, hex): `guardrails-audit-v1:record:<hash>` for the last record of every
stored segment (one MAC call per segment: one per append for file, S3 and DynamoDB sinks), and
`guardrails-audit-v1:seal:<digest>` for a seal. Every record of the segment carries the same `mac`
object `{alg, key, last, value}`; since `hash` chains every record to the one before, a valid MAC on
the segment's last record authenticates the whole segment and the stream before it.

A signing failure (KMS throttled, unreachable, access denied) is an AuditWriteError: the invocation
fails and is retried; no record is ever stored unsigned by a writer that has a key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from guardrails.audit.exceptions import AuditError

KEY_ENV = "GUARDRAILS_AUDIT_KEY"
"""Environment variable naming the signing key URL when neither `--audit-key` nor the config does."""
MAC_ALGORITHM = "HMAC_SHA_256"
MIN_SECRET_BYTES = 32
RECORD_CONTEXT = b"guardrails-audit-v1:record:"
SEAL_CONTEXT = b"guardrails-audit-v1:seal:"
_REDACTION_CONTEXT = b"guardrails-audit-v1:redaction-key"
_KEY_ID_CONTEXT = b"guardrails-audit-v1:key-id:"
_HEX_TEXT = re.compile(rb"^(?:[0-9a-fA-F]{2})+$")


class AuditKeyError(AuditError):
    """A signing key that cannot be loaded or used (bad URL, unreadable or weak file, KMS failure)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


def record_message(record_hash: str) -> bytes:
    return RECORD_CONTEXT + record_hash.encode("ascii")


def seal_message(digest: str) -> bytes:
    return SEAL_CONTEXT + digest.encode("ascii")


class AuditKey(ABC):
    """One signing key. `mac` and `verify` are thread-safe."""

    url: str

    @property
    @abstractmethod
    def key_id(self) -> str | None:
        """The id stored in every MAC it makes (None for a KMS key not yet used)."""

    @abstractmethod
    def mac(self, message: bytes) -> tuple[str, str]:
        """(key id, hex MAC) of `message`; AuditKeyError when the key cannot be used."""

    @abstractmethod
    def verify(self, message: bytes, mac_hex: str) -> bool:
        """True when `mac_hex` is this key's MAC of `message`; AuditKeyError when that cannot be known."""

    @abstractmethod
    def redaction_secret(self) -> bytes:
        """A secret derived from the key for keyed redaction digests (stable for the key)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


class FileKey(AuditKey):
    """A local HMAC-SHA256 secret read from a file."""

    def __init__(self, path: str | Path, url: str | None = None) -> None:
        self.path = Path(path)
        self.url = url or f"file://{self.path}"
        self._secret = _read_secret(self.path)
        fingerprint = hashlib.sha256(_KEY_ID_CONTEXT + self._secret).hexdigest()[:16]
        self._key_id = f"local:{fingerprint}"

    @classmethod
    def from_secret(cls, secret: bytes, url: str = "memory://") -> FileKey:
        if len(secret) < MIN_SECRET_BYTES:
            raise AuditKeyError(f"signing key {url}: {len(secret)} bytes, at least {MIN_SECRET_BYTES} needed")
        key = cls.__new__(cls)
        key.path = Path(url)
        key.url = url
        key._secret = secret
        key._key_id = "local:" + hashlib.sha256(_KEY_ID_CONTEXT + secret).hexdigest()[:16]
        return key

    @property
    def key_id(self) -> str:
        return self._key_id

    def mac(self, message: bytes) -> tuple[str, str]:
        return self._key_id, hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def verify(self, message: bytes, mac_hex: str) -> bool:
        return hmac.compare_digest(self.mac(message)[1], mac_hex)

    def redaction_secret(self) -> bytes:
        return hmac.new(self._secret, _REDACTION_CONTEXT, hashlib.sha256).digest()


class KmsKey(AuditKey):
    """An AWS KMS HMAC key (GenerateMac / VerifyMac). Region, credentials and endpoint: the environment."""

    def __init__(self, key_ref: str, *, client: Any = None, url: str | None = None) -> None:
        self.key_ref = key_ref
        self.url = url or f"kms://{key_ref}"
        self._client = client
        self._key_id = key_ref if key_ref.startswith("arn:") and ":key/" in key_ref else None
        self._redaction: bytes | None = None
        self._lock = threading.Lock()

    @property
    def key_id(self) -> str | None:
        return self._key_id

    @property
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                import boto3

                self._client = boto3.client("kms")
            return self._client

    def mac(self, message: bytes) -> tuple[str, str]:
        response = self._call("GenerateMac", self.client.generate_mac, Message=message)
        key_id = str(response.get("KeyId") or self.key_ref)
        self._key_id = self._key_id or key_id
        return key_id, bytes(response["Mac"]).hex()

    def verify(self, message: bytes, mac_hex: str) -> bool:
        try:
            mac = bytes.fromhex(mac_hex)
        except ValueError:
            return False
        from botocore.exceptions import ClientError

        try:
            response = self.client.verify_mac(
                KeyId=self.key_ref, MacAlgorithm=MAC_ALGORITHM, Message=message, Mac=mac
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "KMSInvalidMacException":
                return False
            raise self._error("VerifyMac", exc) from exc
        except Exception as exc:
            if type(exc).__module__.startswith("botocore"):
                raise self._error("VerifyMac", exc) from exc
            raise
        if response.get("KeyId"):
            self._key_id = self._key_id or str(response["KeyId"])
        return bool(response.get("MacValid"))

    def redaction_secret(self) -> bytes:
        with self._lock:
            cached = self._redaction
        if cached is None:
            response = self._call("GenerateMac", self.client.generate_mac, Message=_REDACTION_CONTEXT)
            cached = bytes(response["Mac"])
            with self._lock:
                self._redaction = cached
        return cached

    def _call(self, operation: str, method: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return cast(dict[str, Any], method(KeyId=self.key_ref, MacAlgorithm=MAC_ALGORITHM, **kwargs))
        except Exception as exc:
            if type(exc).__module__.startswith("botocore"):
                raise self._error(operation, exc) from exc
            raise

    def _error(self, operation: str, exc: Exception) -> AuditKeyError:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__
        return AuditKeyError(f"signing key {self.url}: kms:{operation} failed: {exc}", code)


def load_key(url: str) -> AuditKey:
    """The key a URL names: `file://path` or `kms://<key id, ARN or alias>`."""
    scheme, sep, rest = url.partition("://")
    if not sep or not rest:
        raise AuditKeyError(f"signing key {url!r}: expected file://<path> or kms://<key id, ARN or alias>")
    if scheme == "file":
        return FileKey(rest, url)
    if scheme == "kms":
        return KmsKey(rest, url=url)
    raise AuditKeyError(f"signing key {url!r}: unknown scheme {scheme!r} (use file:// or kms://)")


def resolve_key(key: str | AuditKey | None) -> AuditKey | None:
    """`key` as given, else the key named by GUARDRAILS_AUDIT_KEY, else None (unsigned)."""
    if isinstance(key, AuditKey):
        return key
    url = key or os.environ.get(KEY_ENV, "").strip() or None
    return load_key(url) if url else None


def generate_key_file(url: str) -> Path:
    """Create a new file key (32 random bytes as hex, mode 0600); never overwrites an existing file."""
    scheme, sep, rest = url.partition("://")
    if scheme == "kms" and sep:
        raise AuditKeyError(
            "KMS keys are created in KMS (key spec HMAC_256, usage GENERATE_VERIFY_MAC), e.g. by the deploy "
            "stack; keygen only writes file keys"
        )
    path = Path(rest if sep and scheme == "file" else url)
    if sep and scheme != "file":
        raise AuditKeyError(f"signing key {url!r}: keygen writes file://<path> keys")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AuditKeyError(f"{path}: already exists; not overwriting a signing key") from None
    except OSError as exc:
        raise AuditKeyError(f"{path}: cannot create: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(MIN_SECRET_BYTES) + "\n")
    return path


def _read_secret(path: Path) -> bytes:
    try:
        info = path.stat()
        data = path.read_bytes()
    except OSError as exc:
        raise AuditKeyError(f"signing key {path}: cannot read: {exc.strerror or exc}") from exc
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AuditKeyError(
            f"signing key {path}: readable or writable by group or others (mode "
            f"{stat.S_IMODE(info.st_mode):04o}); run chmod 600 {path}"
        )
    text = data.strip()
    secret = bytes.fromhex(text.decode("ascii")) if _HEX_TEXT.match(text) else data
    if len(secret) < MIN_SECRET_BYTES:
        raise AuditKeyError(
            f"signing key {path}: {len(secret)} bytes of secret, at least {MIN_SECRET_BYTES} needed "
            "(create one with `guardrails audit keygen file://PATH`)"
        )
    return secret


class Keyring:
    """The keys a verifier trusts. A MAC verifies when one of them made it: rotated keys verify together."""

    def __init__(self, keys: Iterable[AuditKey]) -> None:
        self.keys: list[AuditKey] = list(keys)
        self._cache: dict[tuple[str, bytes, str], bool] = {}

    @classmethod
    def from_urls(cls, urls: Sequence[str]) -> Keyring:
        return cls(load_key(url) for url in urls)

    def __bool__(self) -> bool:
        return bool(self.keys)

    def candidates(self, key_id: str) -> list[AuditKey]:
        """The trusted keys that may have made a MAC claiming `key_id` (known ids first)."""
        exact = [k for k in self.keys if k.key_id == key_id]
        if exact:
            return exact
        if key_id.startswith("local:"):
            return []
        # KMS names one key by id, ARN or alias: VerifyMac with each trusted KMS key decides.
        return [k for k in self.keys if isinstance(k, KmsKey)]

    def verify(self, key_id: str, message: bytes, mac_hex: str) -> bool | None:
        """True/False, or None when no trusted key can have made this MAC (unknown key id)."""
        cached = self._cache.get((key_id, message, mac_hex))
        if cached is not None:
            return cached
        candidates = self.candidates(key_id)
        if not candidates:
            return None
        result = any(k.verify(message, mac_hex) for k in candidates)
        self._cache[(key_id, message, mac_hex)] = result
        return result
