"""Redaction: secrets never reach an audit record in clear; they are replaced by a digest.

Replaced in structured data (`redact_value`):
- every value under a container key, wherever it is (training AlgorithmSpecification, processing
  AppSpecification, model PrimaryContainer / Containers, transform, monitoring job definitions, pipeline
  step Arguments, CloudTrail requestParameters, hook state): `Environment`, `HyperParameters`,
  `StaticHyperParameters`, `ContainerEntrypoint`, `ContainerArguments` (map keys and list lengths stay,
  the values go);
- a pipeline definition held as a JSON string (`PipelineDefinition`, `PipelineDefinitionBody`) is parsed,
  redacted by these rules and written back;
- the `Value` of a `{Key, Value}` tag whose key looks secret;
- every value under a key whose name looks secret (password, secret, token, api key, access key,
  private key, credential, session token...), except keys naming an ARN;
- in a resource document, every value at a path its source marks secret (`context.sensitive_paths`: a
  CloudFormation `NoEcho` parameter, a Terraform `sensitive` value, wholly or substituted into a longer
  string) and every other string of the document that holds such a value (a tag, the name); see
  `redact_document`;
- every string that contains something that looks like a secret: an AWS access key id (AKIA/ASIA...),
  an AWS secret access key, a JWT, a PEM private key, a GitHub or Slack token, a password in a URL, the
  signature and session token of a presigned URL.
In free text (`redact_text`: violation messages, errors) only the secret-looking part is replaced.

The digest of a string is sha256 of its UTF-8 bytes; of any other value, of its RFC 8785 JSON. A digest
lets an auditor check a value they already know; it is not encryption: short secrets can be guessed from
a plain `sha256:` digest. With a signing key (signing.py) digests are keyed, `hmac-sha256:<hex>` with a
secret derived from the key, and cannot be guessed without it.

Violation messages may quote a document's values (`Environment.DB_PASSWORD is hunter2: ...`);
`redact_quoted` replaces the quoted values that come from a redacted place (a secret path included) by
`<redacted>` (the Decider applies it, so reports, hook responses and audit records never carry them).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from typing import Any

from guardrails.canonical import canonical_bytes

CONTAINER_MAP_KEYS = frozenset(
    {"environment", "hyperparameters", "statichyperparameters", "containerentrypoint", "containerarguments"}
)
JSON_STRING_KEYS = frozenset({"pipelinedefinition", "pipelinedefinitionbody"})
REDACTED = "<redacted>"
_MIN_QUOTED_SECRET = 6
"""Values this long from a redacted place are removed from any message; shorter ones only from the
messages of a violation whose path is in a redacted place (a `1` must not garble `SM-01`)."""
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
    r"|(?P<urlpassword>(?<=://)[^/\s:@]+:[^/\s@]+(?=@))"
    # A presigned URL is a bearer credential until it expires (a hook's payload URL, a pre-signed S3 GET):
    # the signature and session token values go (SigV4 and SigV2 query parameters); the names stay.
    r"|(?P<presigned>(?:(?<=[?&]X-Amz-Signature=)|(?<=[?&]X-Amz-Security-Token=)"
    r"|(?<=[?&]x-amz-security-token=)|(?<=[?&]Signature=))[^&#\s\"'<>:;,()]+)",
    re.DOTALL,
)


# Cheap necessary conditions checked before the full pattern (which is ~10x slower on plain text).
_MAYBE_SECRET = (
    re.compile(r"AKIA|ASIA|eyJ|-----BEGIN|gh[pousr]_|xox[abprs]-|://|Signature=|[Ss]ecurity-[Tt]oken="),
    re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"),
)


def _may_hold_secret(text: str) -> bool:
    return any(p.search(text) for p in _MAYBE_SECRET)


def digest(value: Any, key: bytes | None = None) -> str:
    """`sha256:<hex>` of a string's UTF-8 bytes, or of another value's canonical JSON;
    `hmac-sha256:<hex>` of the same bytes with `key`."""
    data = value.encode("utf-8") if isinstance(value, str) else canonical_bytes(value)
    if key is not None:
        return "hmac-sha256:" + hmac.new(key, data, hashlib.sha256).hexdigest()
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


def redact_text(text: str | None, key: bytes | None = None) -> str | None:
    """Free text with every secret-looking substring replaced by its digest."""
    if not text or not _may_hold_secret(text):
        return text
    return _SECRET_VALUE.sub(lambda m: digest(m.group(0), key) if _is_secret(m) else m.group(0), text)


@functools.lru_cache(maxsize=8192)
def is_secret_key(key: str) -> bool:
    return _is_secret_name(_normal(key))


def _is_secret_name(name: str) -> bool:
    """`is_secret_key` of a key whose `_normal` form is `name`."""
    return bool(SECRET_KEY.search(name)) and not name.endswith("arn")


def _normal(key: str) -> str:
    return _KEY_CHARS.sub("", key.lower())


_WHOLE, _JSON, _PLAIN = 1, 2, 0


_KEY_KINDS: dict[str, int] = {}
"""_key_kind's answers so far (a dict lookup is cheaper than a call; at most _KEY_KINDS_MAX entries)."""
_KEY_KINDS_MAX = 8192


def _key_kind(key: str) -> int:
    """How a map key redacts its value: _WHOLE (container or secret-looking key), _JSON, or _PLAIN."""
    kind = _KEY_KINDS.get(key)
    if kind is not None:
        return kind
    name = _normal(key)
    if name in CONTAINER_MAP_KEYS or _is_secret_name(name):  # is_secret_key(key), normalised once
        kind = _WHOLE
    else:
        kind = _JSON if name in JSON_STRING_KEYS else _PLAIN
    if len(_KEY_KINDS) < _KEY_KINDS_MAX:
        _KEY_KINDS[key] = kind
    return kind


def _redacts_whole(key: Any) -> bool:
    """True when every value under `key` is replaced (container keys and secret-looking keys)."""
    return isinstance(key, str) and _key_kind(key) == _WHOLE


def _holds_json(key: Any) -> bool:
    return isinstance(key, str) and _key_kind(key) == _JSON


def _secret_tag(value: dict[str, Any]) -> bool:
    """A `{Key, Value}` tag whose key looks secret."""
    if "Key" in value:
        tag_key = value["Key"]
    elif "key" in value:
        tag_key = value["key"]
    else:
        return False
    return isinstance(tag_key, str) and ("Value" in value or "value" in value) and is_secret_key(tag_key)


def redact_value(value: Any, key: bytes | None = None) -> Any:
    """A copy of JSON-like `value` with secrets replaced by digests (see the module docstring)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        secret_tag = _secret_tag(value)
        for name, item in value.items():
            safe_name = name if not (isinstance(name, str) and looks_secret(name)) else digest(name, key)
            if _redacts_whole(name) or (secret_tag and name in ("Value", "value")):
                out[safe_name] = _digest_leaves(item, key)
            elif isinstance(item, str) and _holds_json(name):
                out[safe_name] = _redact_json_string(item, key)
            else:
                out[safe_name] = redact_value(item, key)
        return out
    if isinstance(value, list | tuple):
        return [redact_value(item, key) for item in value]
    if isinstance(value, str) and looks_secret(value):
        return digest(value, key)
    return value


def _redact_json_string(text: str, key: bytes | None) -> str:
    """A JSON document held in a string, redacted inside (free-text redaction when it does not parse)."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return redact_text(text, key) or text
    return json.dumps(redact_value(parsed, key), ensure_ascii=False, separators=(",", ":"))


def _digest_leaves(value: Any, key: bytes | None = None) -> Any:
    """Keep the shape (map keys, list lengths), replace every scalar but null by its digest."""
    if isinstance(value, dict):
        return {(digest(k, key) if looks_secret(k) else k): _digest_leaves(v, key) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_digest_leaves(item, key) for item in value]
    if value is None:
        return None
    return digest(value, key)


def secret_values(value: Any, maps: Iterable[Any] | None = None) -> set[str]:
    """Every scalar (as text) under a redacted key, tag or pipeline definition of `value` (the values
    `redact_value` replaces because of where they are; secret-looking strings elsewhere are not listed),
    and, when `value` is a resource document, every scalar at one of its `context.sensitive_paths`.

    `maps`: when the caller has them at hand, items among which is every non-empty dict of `value` but
    `value` itself (anything else is skipped): engine_inputs.py has them from `canonical.classify_all`.
    Then only the redacted places of the maps are walked, not `value` (most documents have none)."""
    found: set[str] = set()
    if maps is None or not (_collect_maps((value,), found) and _collect_maps(maps, found)):
        found.clear()
        _collect(value, found, False)
    found |= secret_path_values(value)
    return found


def _collect_maps(maps: Iterable[Any], found: set[str]) -> bool:
    """What `_collect(value, found, False)` adds, told from the dicts among `maps` when they are every
    dict of `value` (other items are skipped): the scalars under each map's redacted places. A map
    inside a redacted place adds nothing the place did not (its own redacted places are part of it)
    but for a key holding a JSON document (a pipeline definition: its text parsed may add other
    values): at such a key, False, with `found` unfinished (then walk `value`). One `issuperset` for
    a map whose keys are all known plain (most), without looking at its values."""
    plain = _PLAIN_KEYS
    for value in maps:
        if type(value) is not dict and not isinstance(value, dict):  # a list, mostly
            continue
        secret_tag = ("Key" in value or "key" in value) and _secret_tag(value)
        if not secret_tag and plain.issuperset(value):
            continue
        for name, item in value.items():
            kind = _key_kind(name) if isinstance(name, str) else _PLAIN  # as `_collect` tells them
            if kind == _WHOLE or (secret_tag and name in ("Value", "value")):
                _collect(item, found, True)
            elif kind == _JSON:
                return False
            elif type(name) is str and len(plain) < _KEY_KINDS_MAX:
                plain.add(name)
    return True


def related_secret_values(key: str, related_input: Any, related_secrets: set[str]) -> set[str]:
    """What the related document `related_input` under `key` adds to `secret_values` of the document
    that relates it, given `related_secrets`, its own `secret_values`: those, and every scalar of it
    when `key` itself names a redacted place. The secret values of a document are its own (`related`
    left empty) and these, for each related document: engine_inputs.py adds them up without walking a
    related document again (tests/engine/test_engine_inputs.py checks the sum equals the whole)."""
    if not _redacts_whole(key):
        return related_secrets
    found = set(related_secrets)
    _collect(related_input, found, True)
    return found


def sensitive_paths_of(document: Any) -> list[str]:
    """The `context.sensitive_paths` of a resource document (a `to_input()` dict); [] for anything else."""
    context = document.get("context") if isinstance(document, dict) else None
    paths = context.get("sensitive_paths") if isinstance(context, dict) else None
    if not isinstance(paths, list) or not paths:  # None and [], the usual ones, without a comprehension
        return []
    return [p for p in paths if isinstance(p, str)]


def secret_path_values(document: Any) -> set[str]:
    """Every scalar (as text) at a `context.sensitive_paths` path of a resource document and of its `related`
    documents; a path may lead into a JSON document held in a string (a pipeline definition)."""
    found: set[str] = set()
    if not isinstance(document, dict):
        return found
    paths = sensitive_paths_of(document)
    if paths:  # most documents have none: their properties are not looked up
        resource = document.get("resource")
        properties = resource.get("properties") if isinstance(resource, dict) else None
        for path in paths:
            for item in _at_path(properties, path):
                _collect(item, found, True)
    related = document.get("related")
    if isinstance(related, dict) and related:  # an empty map relates nothing
        for other in related.values():
            found |= secret_path_values(other)
    return found


def _at_path(value: Any, path: str) -> list[Any]:
    """The values at dotted `path` in `value` (keys may hold dots; a string on the way is parsed as JSON)."""
    if path == "":
        return [value]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return []
    found: list[Any] = []
    if isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            if path == name:
                found.append(item)
            elif path.startswith(name + "."):
                found += _at_path(item, path[len(name) + 1 :])
    elif isinstance(value, list):
        head, _, rest = path.partition(".")
        if head.isdigit() and int(head) < len(value):
            found += _at_path(value[int(head)], rest) if rest else [value[int(head)]]
    return found


def redact_document(document: Any, key: bytes | None = None) -> Any:
    """`redact_value` of a resource document (`to_input()`), after every string that holds a value at one
    of its secret paths (there, or copied to a tag or the name) is replaced by its digest."""
    secrets = secret_path_values(document)
    if secrets:
        # a value inside a JSON string (a pipeline definition) is there JSON-escaped
        forms = {
            form
            for s in secrets
            for form in (s, json.dumps(s)[1:-1], json.dumps(s, ensure_ascii=False)[1:-1])
        }
        document = _without_secret_strings(document, sorted(forms, key=len, reverse=True), key)
    return redact_value(document, key)


def _without_secret_strings(value: Any, secrets: list[str], key: bytes | None) -> Any:
    if isinstance(value, dict):
        return {name: _without_secret_strings(item, secrets, key) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_secret_strings(item, secrets, key) for item in value]
    if value is None or isinstance(value, bool):
        return value
    text = value if isinstance(value, str) else json.dumps(value)
    for secret in secrets:
        if text == secret or (len(secret) >= _MIN_QUOTED_SECRET and secret in text):
            return digest(value, key)
    return value


_PLAIN_KEYS: set[str] = set()
"""Map keys known to be `_PLAIN` (at most _KEY_KINDS_MAX): a map with only such keys, and no secret tag,
holds nothing but in its containers, told by one C-speed `issuperset` instead of a lookup per key."""
_CONTAINERS = (dict, list, tuple)  # not `dict | list | tuple`: that makes a union object at every call
_SEQUENCES = (list, tuple)


def _collect(value: Any, found: set[str], inside: bool) -> None:
    if isinstance(value, dict):
        if inside:
            for item in value.values():
                if type(item) is str:  # what the call would add, without the call
                    found.add(item)
                else:
                    _collect(item, found, True)
            return
        secret_tag = ("Key" in value or "key" in value) and _secret_tag(value)
        if not secret_tag and _PLAIN_KEYS.issuperset(value):
            for item in value.values():
                # most values are strings, told apart before the isinstance call; an empty container
                # holds nothing
                if type(item) is not str and isinstance(item, _CONTAINERS) and item:
                    _collect(item, found, False)
            return
        for name, item in value.items():
            kind = _key_kind(name) if isinstance(name, str) else _PLAIN
            if kind == _WHOLE or (secret_tag and name in ("Value", "value")):
                _collect(item, found, True)
            elif kind == _JSON and isinstance(item, str):
                with contextlib.suppress(ValueError):
                    _collect(json.loads(item), found, False)
            else:
                if kind == _PLAIN and type(name) is str and len(_PLAIN_KEYS) < _KEY_KINDS_MAX:
                    _PLAIN_KEYS.add(name)
                # a scalar, an empty container: nothing
                if type(item) is not str and isinstance(item, _CONTAINERS) and item:
                    _collect(item, found, False)
    elif isinstance(value, _SEQUENCES):
        if inside:
            for item in value:
                if type(item) is str:  # what the call would add, without the call
                    found.add(item)
                else:
                    _collect(item, found, True)
        else:
            for item in value:
                if type(item) is not str and isinstance(item, _CONTAINERS) and item:
                    _collect(item, found, False)
    elif inside and value is not None:
        found.add(value if isinstance(value, str) else json.dumps(value))


def is_redacted_path(path: str | None) -> bool:
    """True when a dotted violation path (`Containers[0].Environment.X`) is in a redacted place."""
    if not path:
        return False
    return any(_redacts_whole(part) for part in re.split(r"[.\[\]]+", path) if part)


def under_sensitive_path(path: str | None, sensitive_paths: Iterable[str]) -> bool:
    """True when a violation path (`Tags[0].Value`, `Tags.0.Value`) is at, under or above a secret path."""
    if not path:
        return False
    dotted = re.sub(r"\[(\d+)\]", r".\1", path).strip(".")
    return any(
        dotted == p or dotted.startswith(p + ".") or p.startswith(dotted + ".") for p in sensitive_paths if p
    )


_SHIELD = "\x00path\x00"


def quotes_none(message: str, secrets: Iterable[str]) -> bool:
    """True when `redact_quoted(message, path, secrets, strict)` is `message` whatever `path` and `strict`
    are, told without them: no secret value is in the message, and neither the message nor a value can
    meet the shield `redact_quoted` puts in place of the path (the message has no NUL, no value holds a
    NUL or is part of "path"); then no value is in the shielded message either, nothing is replaced and
    the shield goes back to the path it stood for."""
    if "\x00" in message:
        return False
    for secret in secrets:
        if secret and (secret in message or "\x00" in secret or secret in _SHIELD):
            return False
    return True


def redact_quoted(message: str, path: str | None, secrets: Iterable[str], strict: bool = False) -> str:
    """`message` without the secret values it quotes (replaced by `<redacted>`), longest first; `strict`
    (or a path in a redacted place) removes short values too."""
    strict = strict or is_redacted_path(path)
    shield = _SHIELD
    if strict and path:
        message = message.replace(path, shield)  # keep `Containers[1].Environment.X` whole
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and (strict or len(secret) >= _MIN_QUOTED_SECRET) and secret in message:
            message = message.replace(secret, REDACTED)
    return message.replace(shield, path) if strict and path else message
