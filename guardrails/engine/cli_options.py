"""`--engine` / `--opa-url` command-line options applied over the configuration file."""

from __future__ import annotations

from pydantic import ValidationError

from guardrails.config import ConfigError, GuardrailsConfig
from guardrails.engine.opa_settings import OpaServerSettings


def apply_engine_options(config: GuardrailsConfig, backend: str | None, opa_url: str | None) -> None:
    """Override `engine.backend` and `engine.opa.url`; `--opa-url` alone selects the opa-server engine."""
    if opa_url is not None:
        try:
            config.engine.opa = OpaServerSettings.model_validate(
                {**config.engine.opa.model_dump(), "url": opa_url}
            )
        except ValidationError as exc:
            raise ConfigError(f"--opa-url: {exc.errors()[0]['msg']}") from None
        if backend is None:
            backend = "opa-server"
    if backend is not None:
        config.engine.backend = backend  # type: ignore[assignment]
    if config.engine.backend == "opa-server" and not config.engine.opa.url:
        raise ConfigError("the opa-server engine needs the server's URL: --opa-url or engine.opa.url")
