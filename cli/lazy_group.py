"""A click group whose subcommands are imported only when they are run (or listed by --help).

`guardrails --version` and `guardrails check` then never import the modules of `package`, `scan`,
`audit`, ... (importlib.metadata, boto3, pydantic models) they do not use.

It is also the CLI's error edge: a `GuardrailsError` (guardrails/errors.py) that leaves a command is printed
once, as `error: <message>` without a traceback, and exits 2.
"""

from __future__ import annotations

import importlib

import click


class LazyGroup(click.Group):
    """`lazy_subcommands` maps a command name to `"module:attribute"`, imported on first use."""

    def __init__(
        self, *args: object, lazy_subcommands: dict[str, str] | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_subcommands = dict(lazy_subcommands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            from guardrails.errors import EXIT_ERROR, GuardrailsError

            if not isinstance(exc, GuardrailsError):
                raise
            click.echo(f"error: {exc}", err=True)
            raise click.exceptions.Exit(EXIT_ERROR) from None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_subcommands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command
