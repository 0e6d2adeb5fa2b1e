"""`--engine` / `--opa-url` command-line options applied over the configuration file."""

from __future__ import annotations

from guardrails.config import ConfigError, GuardrailsConfig
from guardrails.engine.opa_settings import with_url


def apply_engine_options(config: GuardrailsConfig, backend: str | None, opa_url: str | None) -> None:
    """Override `engine.backend` and `engine.opa.url`; `--opa-url` alone selects the opa-server engine."""
    if opa_url is not None:
        try:
            config.engine.opa = with_url(config.engine.opa, opa_url)
        except ValueError as exc:
            raise ConfigError(f"--opa-url: {exc}") from None
        if backend is None:
            backend = "opa-server"
    if backend is not None:
        config.engine.backend = backend  # type: ignore[assignment]
    if config.engine.backend == "opa-server" and not config.engine.opa.url:
        raise ConfigError("the opa-server engine needs the server's URL: --opa-url or engine.opa.url")
