"""`guardrails package`: build the Lambda deployment zip with wheels for the Lambda platform."""

from __future__ import annotations

from pathlib import Path

import click

from guardrails.packaging.targets import ARCHITECTURES, PYTHON_VERSIONS


@click.command("package")
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("build/lambda.zip"),
    show_default=True,
    help="Where to write the zip.",
)
@click.option(
    "--arch", type=click.Choice(list(ARCHITECTURES)), default="arm64", show_default=True, help="Lambda arch."
)
@click.option(
    "--python",
    "python",
    type=click.Choice(list(PYTHON_VERSIONS)),
    default="3.12",
    show_default=True,
    help="Lambda Python runtime version.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file to bundle (read by the handlers unless GUARDRAILS_CONFIG points elsewhere).",
)
@click.option("--include-boto3", is_flag=True, help="Bundle boto3/botocore instead of the runtime's.")
@click.option(
    "--bytecode-python",
    metavar="PYTHON",
    help="A CPython of the --python version to precompile the modules with (default: this one if it is, "
    "else python3.12/python3.13 on PATH). Without one the zip has no bytecode: slower cold starts.",
)
def package(
    output: Path,
    arch: str,
    python: str,
    config_path: Path | None,
    include_boto3: bool,
    bytecode_python: str | None,
) -> None:
    """Build the Lambda deployment zip.

    Handlers: guardrails.lambdas.events.handler (EventBridge) and guardrails.lambdas.cfn_hook.handler.

    Dependencies are downloaded from PyPI as wheels for the Lambda platform, pinned to the versions
    installed here. Exit 2 when the zip cannot be built.
    """
    from guardrails.packaging.lambda_zip import build_lambda_zip

    result = build_lambda_zip(  # a PackageError exits 2 at the CLI's edge
        output,
        arch=arch,
        python=python,
        config=config_path,
        include_boto3=include_boto3,
        bytecode_python=bytecode_python,
        log=lambda message: click.echo(message, err=True),
    )
    click.echo(
        f"wrote {result.path}: {result.size_bytes / 1_000_000:.1f} MB zipped, "
        f"{result.unzipped_bytes / 1_000_000:.1f} MB unzipped, {result.files} files "
        f"(python{result.python} {result.arch}{', boto3 included' if result.include_boto3 else ''}"
        f"{', config bundled' if result.config else ''}"
        f"{', precompiled' if result.bytecode else ', no bytecode'})"
    )
