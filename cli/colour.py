"""Colour on the terminal: only on a TTY, and never when `NO_COLOR` is set (https://no-color.org)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import click


def no_color() -> bool:
    """`NO_COLOR` is set to a non-empty value (the convention: any value but the empty string)."""
    return bool(os.environ.get("NO_COLOR"))


def colour_enabled(stream: TextIO | None = None) -> bool:
    """Colour for output to `stream` (default stdout): a terminal, and NO_COLOR not set."""
    stream = stream if stream is not None else sys.stdout
    return not no_color() and bool(getattr(stream, "isatty", lambda: False)())


def apply_no_color(ctx: click.Context) -> None:
    """With NO_COLOR, every `click.echo` of this command and its subcommands strips styles."""
    if no_color():
        ctx.color = False
