"""`guardrails policy push` and `guardrails policy bundle build`: the bundle for an OPA server."""

from __future__ import annotations

from pathlib import Path

import click

EXIT_INPUT_ERROR = 2


def fail_input(message: str) -> click.exceptions.Exit:
    from guardrails.cli.main import fail_input as fail  # at call time: main imports this module

    return fail(message)


_policy_dir_option = click.option(
    "--policy-dir",
    "policy_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra folder of Rego policies to include beside the bundled ones.",
)


@click.command("push")
@click.option(
    "--opa-url", required=True, metavar="URL", help="Base URL of the OPA server (http[s]://host:port)."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="Guardrails config (its engine.opa section).",
)
@_policy_dir_option
def policy_push(opa_url: str, config_path: Path | None, policy_dirs: tuple[Path, ...]) -> None:
    """Upload the bundle's modules (libraries first) and its revision data to an OPA server.

    Idempotent: nothing is written when the server already holds this bundle. The token comes from the
    environment variable named by engine.opa.token_env (GUARDRAILS_OPA_TOKEN by default).
    """
    from guardrails.config import load_config
    from guardrails.engine import PolicyBundle
    from guardrails.engine.opa_bundle import PushError, push_bundle
    from guardrails.engine.opa_server import open_client
    from guardrails.engine.opa_settings import with_url

    config = load_config(config_path)
    try:
        settings = with_url(config.engine.opa, opa_url)
    except ValueError as exc:
        raise fail_input(f"--opa-url: {exc}") from None
    bundle = PolicyBundle.load([*config.engine.policy_dirs, *policy_dirs])
    client = open_client(settings)
    try:
        report = push_bundle(client, bundle)
    except PushError as exc:
        raise fail_input(f"push to {settings.url}: {exc}") from None
    finally:
        client.close_connection()
    if not report.changed:
        click.echo(f"{settings.url} already holds bundle {report.revision}; nothing pushed")
        return
    click.echo(
        f"pushed {_count(report.uploaded)}, removed {_count(report.removed, 'stale ')}; "
        f"{settings.url} now holds bundle {report.revision}"
    )


def _count(items: list[str], adjective: str = "") -> str:
    """ "2 module(s) and 1 data document(s)": modules are policy ids, data documents `data/<path>`."""
    data = sum(1 for item in items if item.startswith("data/"))
    text = f"{len(items) - data} {adjective}module(s)"
    return f"{text} and {data} {adjective}data document(s)" if data else text


@click.group("bundle")
def bundle_group() -> None:
    """Build the policy bundle for OPA."""


@bundle_group.command("build")
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(path_type=Path),
    help="Archive to write (.tar.gz).",
)
@_policy_dir_option
def bundle_build(output: Path, policy_dirs: tuple[Path, ...]) -> None:
    """Write an OPA bundle (.manifest with revision = bundle digest and roots, modules, data).

    Load it with `opa run --server --bundle bundle.tar.gz`, or serve it from a bundle service.
    """
    from guardrails.engine import PolicyBundle
    from guardrails.engine.opa_bundle import build_bundle_archive

    bundle = PolicyBundle.load(list(policy_dirs))  # a BundleError exits 2 at the CLI's edge
    archive = build_bundle_archive(bundle)
    try:
        output.write_bytes(archive)
    except OSError as exc:
        click.echo(f"error: {output}: cannot write: {exc.strerror or exc}", err=True)
        raise click.exceptions.Exit(EXIT_INPUT_ERROR) from None
    click.echo(f"{output}: OPA bundle, revision {bundle.digest}")
