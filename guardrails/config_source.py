"""Where the Lambdas read their configuration, re-read while they run: a config change needs no redeploy.

`GUARDRAILS_CONFIG` names the source:

* unset or empty: `$LAMBDA_TASK_ROOT/guardrails.yaml` (bundled by `guardrails package --config`) when
  present, else the shipped defaults;
* `ssm:<name>` (e.g. `ssm:/guardrails/config`): a String SSM parameter holding the YAML;
* `s3://bucket/key`: an S3 object holding the YAML;
* anything else: a file path (`file://` allowed).

A remote source is re-read at most every `GUARDRAILS_CONFIG_MAX_AGE` seconds (default 60); `version`
changes when the text does, and the Lambdas rebuild their decider then. A source that cannot be read or
holds an invalid config raises `ConfigSourceError` (the event is retried, the hook answers fail closed):
no decision is ever taken on a config other than the one named.
"""

from __future__ import annotations

import copy
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from guardrails.config import ConfigError, GuardrailsConfig, given_fields, parse_config

ENV_LOCATION = "GUARDRAILS_CONFIG"
ENV_MAX_AGE = "GUARDRAILS_CONFIG_MAX_AGE"
ENV_ALERT_TOPIC = "GUARDRAILS_ALERT_TOPIC_ARN"
ENV_AUDIT_KEY = "GUARDRAILS_AUDIT_KEY"
ENV_AUDIT_SINKS = "GUARDRAILS_AUDIT_SINKS"
ENV_SECURITYHUB = "GUARDRAILS_SECURITYHUB"
BUNDLED_NAME = "guardrails.yaml"
DEFAULT_MAX_AGE = 60.0


class ConfigSourceError(ConfigError):
    """The configured source cannot be read, or what it holds is not a valid config (retried: the source
    may be unreachable for a moment, or fixed in place)."""

    retryable = True


@dataclass(frozen=True)
class LoadedConfig:
    config: GuardrailsConfig
    version: str
    """`sha256:<digest>` of the text, or `defaults`."""
    origin: str
    """Where it came from: a path, `ssm:<name>`, `s3://bucket/key` or `defaults`."""


def task_root() -> Path:
    return Path(os.environ.get("LAMBDA_TASK_ROOT") or Path.cwd())


class ConfigSource:
    """One config location, cached for `max_age` seconds."""

    def __init__(self, location: str | None, *, max_age: float = DEFAULT_MAX_AGE, session: Any = None):
        self.location = (location or "").strip()
        self.max_age = max_age
        self._session = session
        self._loaded: LoadedConfig | None = None
        self._read_at = 0.0

    @classmethod
    def from_environment(cls) -> ConfigSource:
        raw = os.environ.get(ENV_MAX_AGE, "")
        try:
            max_age = float(raw) if raw.strip() else DEFAULT_MAX_AGE
        except ValueError:
            raise ConfigSourceError(f"{ENV_MAX_AGE}: {raw!r} is not a number of seconds") from None
        return cls(os.environ.get(ENV_LOCATION), max_age=max_age)

    @property
    def remote(self) -> bool:
        return self.location.startswith(("ssm:", "s3://"))

    def get(self) -> LoadedConfig:
        """The current config; a remote source is re-read once `max_age` has passed."""
        now = time.monotonic()
        if self._loaded is not None and (not self.remote or now - self._read_at < self.max_age):
            return self._loaded
        origin, text = self._read()
        version = "defaults" if text is None else "sha256:" + hashlib.sha256(text.encode()).hexdigest()
        if self._loaded is None or self._loaded.version != version:
            config = GuardrailsConfig() if text is None else self._parse(text, origin)
            self._loaded = LoadedConfig(config=config, version=version, origin=origin)
        self._read_at = now
        return self._loaded

    def _parse(self, text: str, origin: str) -> GuardrailsConfig:
        base = Path(origin).parent if not self.remote else task_root()
        try:
            return parse_config(text, origin, base)
        except ConfigSourceError:
            raise
        except ConfigError as exc:
            raise ConfigSourceError(str(exc)) from None

    def _read(self) -> tuple[str, str | None]:
        location = self.location
        if not location:
            bundled = task_root() / BUNDLED_NAME
            return (str(bundled), _read_file(bundled)) if bundled.is_file() else ("defaults", None)
        if location.startswith("ssm:"):
            return location, self._read_ssm(location.removeprefix("ssm:"))
        if location.startswith("s3://"):
            return location, self._read_s3(location)
        path = Path(location.removeprefix("file://"))
        return str(path), _read_file(path)

    def _client(self, service: str) -> Any:
        if self._session is None:
            import boto3

            self._session = boto3.session.Session()
        return self._session.client(service)

    def _read_ssm(self, name: str) -> str:
        if not name:
            raise ConfigSourceError(f"{ENV_LOCATION}: ssm: needs a parameter name (ssm:/guardrails/config)")
        try:
            parameter = self._client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]
        except Exception as exc:  # botocore ClientError/BotoCoreError: name the source, keep the cause
            raise ConfigSourceError(f"ssm:{name}: cannot read the config parameter: {exc}") from exc
        return str(parameter["Value"])

    def _read_s3(self, url: str) -> str:
        bucket, _, key = url.removeprefix("s3://").partition("/")
        if not bucket or not key:
            raise ConfigSourceError(f"{ENV_LOCATION}: {url!r} is not s3://bucket/key")
        try:
            body: bytes = self._client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
            return body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigSourceError(f"{url}: the config is not UTF-8 text: {exc}") from exc
        except Exception as exc:  # botocore ClientError/BotoCoreError
            raise ConfigSourceError(f"{url}: cannot read the config object: {exc}") from exc


def _read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigSourceError(f"{path}: cannot read config: {exc}") from exc


T = TypeVar("T")


class PerConfigVersion(Generic[T]):
    """What a Lambda builds from the deployment's config (`GUARDRAILS_CONFIG`, with the deployment
    defaults): built on first use, kept for the container's life, rebuilt when the source's text changes.
    The source itself is read from the environment once."""

    def __init__(self, build: Callable[[GuardrailsConfig], T]) -> None:
        self._build = build
        self._source: ConfigSource | None = None
        self._built: T | None = None
        self._version: str | None = None

    def get(self, logger: Any = None) -> T:
        """The value for the current config; `logger` (a Powertools Logger) is told when it is (re)built."""
        if self._source is None:
            self._source = ConfigSource.from_environment()
        loaded = self._source.get()
        if self._built is None or loaded.version != self._version:
            self._built = self._build(with_deployment_defaults(loaded.config))
            self._version = loaded.version
            if logger is not None:
                extra = {"origin": loaded.origin, "version": loaded.version}
                logger.info("guardrails config loaded", extra=extra)
        return self._built

    @property
    def built(self) -> T | None:
        """The value built so far (None before the first `get`)."""
        return self._built

    def reset(self) -> None:
        """Forget the value and the source (tests; a new environment)."""
        self._source, self._built, self._version = None, None, None


def env_list(name: str) -> list[str]:
    """A comma-separated environment variable as a list (blank entries dropped)."""
    return [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]


def with_deployment_defaults(config: GuardrailsConfig) -> GuardrailsConfig:
    """Fill what the deployment stack knows and the config left unset: the alert topic
    (`GUARDRAILS_ALERT_TOPIC_ARN`), the audit signing key (`GUARDRAILS_AUDIT_KEY`, when the config
    has `audit.signing_key`) and Security Hub import (`GUARDRAILS_SECURITYHUB=true`). A value set in the
    config always wins. The audit stores the stack writes to (`GUARDRAILS_AUDIT_SINKS`) are always added
    to `runtime.protect.arns`: remediation never touches the audit trail. Returns a copy."""
    config = copy.deepcopy(config)
    protect = config.runtime.protect
    for pattern in audit_store_patterns(os.environ.get(ENV_AUDIT_SINKS, "")):
        if pattern not in protect.arns:
            protect.arns.append(pattern)
    securityhub = os.environ.get(ENV_SECURITYHUB, "").strip().lower()
    if securityhub == "true" and "securityhub" not in given_fields(config.runtime):
        config.runtime.securityhub = True
    topic = os.environ.get(ENV_ALERT_TOPIC, "").strip()
    if topic and not config.runtime.sns_topic_arn:
        config.runtime.sns_topic_arn = topic
    key = os.environ.get(ENV_AUDIT_KEY, "").strip()
    if key and not config.audit.signing_key:
        config.audit.signing_key = key
    return config


def audit_store_patterns(sinks: str) -> list[str]:
    """`runtime.protect.arns` globs for the S3 buckets and DynamoDB tables of comma-separated audit sink
    URLs (`s3://bucket/prefix`, `dynamodb://table`); other sinks name no AWS resource remediation could
    touch."""
    patterns: list[str] = []
    for url in (u.strip() for u in sinks.split(",")):
        location = url.split("?", 1)[0]
        scheme, _, rest = location.partition("://")
        name = rest.split("/", 1)[0]
        if not name:
            continue
        if scheme == "s3":
            patterns.append(f"arn:*:s3:::{name}")
        elif scheme == "dynamodb":
            patterns.append(f"arn:*:dynamodb:*:*:table/{name}")
    return patterns
