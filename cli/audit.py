"""`guardrails audit verify|seal|query|export|keygen|replay`: check, sign and read the audit trail.

Exit codes: 0 ok, 1 verification failed (or, for replay, a decision would change), 2 usage or input
error (bad URL, unreachable sink or key, bad seal).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

if TYPE_CHECKING:
    from guardrails.audit import Verification

EXIT_OK, EXIT_TAMPERED, EXIT_INPUT_ERROR = 0, 1, 2
SINK_HELP = "SINK is file://path.jsonl (or a path), dynamodb://table or s3://bucket/prefix."
KEY_HELP = (
    "Signing key: file://path (HMAC secret) or kms://<key id, ARN or alias>. Default: the "
    "GUARDRAILS_AUDIT_KEY environment variable."
)


def _keyring(urls: tuple[str, ...]):
    """The verifier's keys: the --audit-key URLs, else the one GUARDRAILS_AUDIT_KEY names (else none)."""
    from guardrails.audit.signing import Keyring, resolve_key

    if urls:
        return Keyring.from_urls(urls)
    key = resolve_key(None)
    return Keyring([key] if key is not None else [])


def _fail(message: str) -> click.exceptions.Exit:
    from guardrails.cli.main import fail_input

    return fail_input(message)


@click.group("audit", epilog=SINK_HELP)
def audit() -> None:
    """Verify, seal, query and export the audit trail."""


@audit.command("verify", epilog=SINK_HELP)
@click.argument("sink")
@click.option(
    "--seal",
    "seal_src",
    metavar="SEAL",
    help="Seal (file or s3:// URL) from `audit seal`: also detects deleted newest records.",
)
@click.option(
    "--audit-key",
    "key_urls",
    multiple=True,
    metavar="URL",
    help=KEY_HELP + " Repeat to accept records signed by any of several keys (rotation).",
)
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def verify(sink: str, seal_src: str | None, key_urls: tuple[str, ...], output_format: str) -> None:
    """Walk every chain of SINK; exit 1 naming the first changed, removed, inserted, reordered, unsigned
    or wrongly signed record. Without a key or seal it says which guarantees it could not check."""
    from guardrails.audit import AuditError, open_sink, read_seal
    from guardrails.audit.verify import verify_entries

    try:
        keys = _keyring(key_urls)
        seal = read_seal(seal_src) if seal_src else None
        opened = open_sink(sink)
        result = verify_entries(opened.read(), seal, keys)
    except AuditError as exc:
        raise _fail(str(exc)) from None
    if seal is not None and seal.sink != opened.url:
        click.echo(f"note: the seal was made for {seal.sink}, not {opened.url}", err=True)
    if output_format == "json":
        import json

        click.echo(json.dumps(_verification_json(sink, result), indent=2))
    elif result.ok:
        sealed = f", {len(seal.heads)} sealed heads present" if seal else ""
        signed = ", every MAC verified" if result.macs_checked else ""
        click.echo(
            f"OK: {result.records} records in {result.streams} streams verified{signed}{sealed} ({sink})"
        )
        for note in result.unchecked():
            click.echo(f"not checked: {note}", err=True)
    else:
        click.echo(f"FAILED: {result.first}", err=True)
        others = len(result.problems) - 1
        if others:
            click.echo(f"... and {others} more problem(s) in other streams", err=True)
    raise click.exceptions.Exit(EXIT_OK if result.ok else EXIT_TAMPERED)


@audit.command("seal", epilog=SINK_HELP)
@click.argument("sink")
@click.option(
    "--to",
    "dest",
    required=True,
    metavar="DEST",
    help="File path or s3://bucket/key for the seal (a folder or a key ending in / gets a new name).",
)
@click.option(
    "--audit-key",
    "key_url",
    metavar="URL",
    help=KEY_HELP + " The trail's MACs are verified with it and the seal is signed with it.",
)
def seal(sink: str, dest: str, key_url: str | None) -> None:
    """Write the current chain heads of SINK to DEST, after verifying SINK (exit 1 if it fails)."""
    from guardrails.audit import AuditError, Seal, open_sink, write_seal
    from guardrails.audit.signing import Keyring, resolve_key
    from guardrails.audit.verify import verify_entries

    try:
        key = resolve_key(key_url)
        opened = open_sink(sink)
        result = verify_entries(opened.read(), None, Keyring([key] if key else []))
        if not result.ok:
            click.echo(f"FAILED: not sealing a broken trail: {result.first}", err=True)
            raise click.exceptions.Exit(EXIT_TAMPERED)
        where = write_seal(Seal.create(opened.url, result.heads, key=key), dest)
    except AuditError as exc:
        raise _fail(str(exc)) from None
    signed = " (signed)" if key else ""
    click.echo(
        f"sealed {result.streams} stream heads ({result.records} records) of {opened.url} to {where}{signed}"
    )


@audit.command("keygen")
@click.argument("url")
def keygen(url: str) -> None:
    """Create a new signing key file at URL (file://path): 32 random bytes as hex, mode 0600.

    Never overwrites. KMS keys are created in KMS (HMAC_256, GENERATE_VERIFY_MAC).
    """
    from guardrails.audit.signing import AuditKeyError, FileKey, generate_key_file

    try:
        path = generate_key_file(url)
        key_id = FileKey(path).key_id
    except AuditKeyError as exc:
        raise _fail(str(exc)) from None
    click.echo(f"wrote signing key {path} (key id {key_id}); keep it secret, back it up")


@audit.command("query", epilog=SINK_HELP)
@click.argument("sink")
@click.option("--control", help="Only records with a violation of this control (e.g. SM-01).")
@click.option("--resource", metavar="GLOB", help="Resource ARN, name or Type/name glob.")
@click.option("--verdict", type=click.Choice(["allow", "warn", "deny", "error"]))
@click.option(
    "--since", metavar="WHEN", help="ISO date/time (UTC unless zoned) or a duration ago: 90m, 24h, 7d."
)
@click.option("--until", metavar="WHEN", help="ISO date/time or a duration ago.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option("--output", "-o", "output_path", type=click.Path(path_type=Path), help="Write to this file.")
def query(
    sink: str,
    control: str | None,
    resource: str | None,
    verdict: str | None,
    since: str | None,
    until: str | None,
    output_format: str,
    output_path: Path | None,
) -> None:
    """List the records of SINK that match every filter, oldest first."""
    from guardrails.audit import AuditError, open_sink
    from guardrails.audit.query import RecordFilter, parse_when, select

    try:
        flt = RecordFilter(
            control=control,
            resource=resource,
            verdict=verdict,
            since=parse_when(since) if since else None,
            until=parse_when(until) if until else None,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    try:
        records, unreadable = select(open_sink(sink).read(), flt)
    except AuditError as exc:
        raise _fail(str(exc)) from None
    if unreadable:
        click.echo(
            f"warning: {unreadable} unreadable record(s) skipped; run `guardrails audit verify`", err=True
        )
    with _open_output(output_path) as out:
        _RENDERERS[output_format](records, out)


@audit.command("export", epilog=SINK_HELP)
@click.argument("sink")
@click.option(
    "--output",
    "-o",
    "output_path",
    type=click.Path(path_type=Path),
    help="Write to this file instead of standard output.",
)
def export(sink: str, output_path: Path | None) -> None:
    """Copy every record of SINK, as stored (hashes included), to JSON lines in storage order.

    The export is itself a file trail: `guardrails audit verify export.jsonl` checks it.
    """
    import json

    from guardrails.audit import AuditError, open_sink

    count = unreadable = 0
    try:
        entries = open_sink(sink).read()
        with _open_output(output_path) as out:
            for entry in entries:
                if entry.record is None:
                    unreadable += 1
                    continue
                out.write(json.dumps(entry.record, ensure_ascii=False, separators=(",", ":")) + "\n")
                count += 1
    except AuditError as exc:
        raise _fail(str(exc)) from None
    if unreadable:
        click.echo(f"warning: {unreadable} unreadable record(s) not exported", err=True)
    if output_path is not None:
        click.echo(f"exported {count} records to {output_path}", err=True)


@audit.command("digest")
@click.argument("value", required=False)
@click.option(
    "--audit-key", "key_url", metavar="URL", help=KEY_HELP + " Gives the keyed (hmac-sha256) digest."
)
@click.option("--check", "expected", metavar="DIGEST", help="Exit 0 when VALUE has this digest, 1 otherwise.")
def digest_command(value: str | None, key_url: str | None, expected: str | None) -> None:
    """Print the redaction digest of VALUE (read from standard input when omitted or `-`, so that it stays
    out of the shell history): what a record holds in place of a value you already know."""
    from guardrails.audit import AuditError
    from guardrails.audit.signing import resolve_key
    from guardrails.redaction import digest

    if value is None or value == "-":
        value = sys.stdin.read().removesuffix("\n")
    try:
        key = resolve_key(key_url)
        secret = key.redaction_secret() if key is not None else None
    except AuditError as exc:
        raise _fail(str(exc)) from None
    result = digest(value, secret)
    if expected is None:
        click.echo(result)
        return
    import hmac

    same = hmac.compare_digest(result, expected.strip())
    click.echo("match" if same else "no match")
    raise click.exceptions.Exit(EXIT_OK if same else EXIT_TAMPERED)


@audit.command("replay", epilog=SINK_HELP)
@click.argument("sink")
@click.option(
    "--policy-dir",
    "policy_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra folder of Rego policies to decide with, beside the bundled ones (repeatable).",
)
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path), help="Guardrails config file to decide with."
)
@click.option("--since", metavar="WHEN", help="Only records from then on: ISO date/time or 90m, 24h, 7d.")
@click.option("--until", metavar="WHEN", help="Only records until then: ISO date/time or a duration ago.")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--fail-on-change", is_flag=True, help="Exit 1 when any decision would change.")
@click.option(
    "--audit-key",
    "key_urls",
    multiple=True,
    metavar="URL",
    help="Verify the trail with this signing key first (repeatable); a trail that fails is not replayed "
    "(exit 1).",
)
def replay(
    sink: str,
    policy_dirs: tuple[Path, ...],
    config_path: Path | None,
    since: str | None,
    until: str | None,
    output_format: str,
    fail_on_change: bool,
    key_urls: tuple[str, ...],
) -> None:
    """Re-decide every stored input of SINK with these policies and config; list what would change.

    Records stored without their input (audit.store_input: false) are counted as not replayable.
    Exit 0 (1 with --fail-on-change when a decision would change), 2 for unusable input.
    """
    import json

    from guardrails.audit import open_sink
    from guardrails.audit.query import parse_when
    from guardrails.audit.replay import replay_entries, replay_json, replay_text
    from guardrails.config import load_config
    from guardrails.decider import Decider
    from guardrails.errors import GuardrailsError

    try:
        start = parse_when(since) if since else None
        end = parse_when(until) if until else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    try:
        config = load_config(config_path)
        config.engine.policy_dirs.extend(policy_dirs)
        decider = Decider(config)
        opened = open_sink(sink)
        entries = list(opened.read())
        if key_urls:
            from guardrails.audit.signing import Keyring
            from guardrails.audit.verify import verify_entries

            verified = verify_entries(entries, None, Keyring.from_urls(key_urls))
            if not verified.ok:
                click.echo(f"FAILED: not replaying a trail that does not verify: {verified.first}", err=True)
                raise click.exceptions.Exit(EXIT_TAMPERED)
        report = replay_entries(entries, decider, sink=opened.url, since=start, until=end)
    except GuardrailsError as exc:  # the audit group is also run on its own (tests): no edge above it
        raise _fail(str(exc)) from None
    if output_format == "json":
        click.echo(json.dumps(replay_json(report), indent=2))
    else:
        click.echo(replay_text(report), nl=False)
    if report.unreadable:
        click.echo(
            f"warning: {report.unreadable} unreadable record(s) skipped; run `guardrails audit verify`",
            err=True,
        )
    raise click.exceptions.Exit(EXIT_TAMPERED if fail_on_change and report.changes else EXIT_OK)


@contextmanager
def _open_output(path: Path | None) -> Iterator[IO[str]]:
    """Standard output, or `path` opened for writing (UTF-8)."""
    if path is None:
        yield sys.stdout
        return
    try:
        handle = path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise _fail(f"{path}: cannot write: {exc.strerror or exc}") from None
    with handle:
        yield handle


def _render_json(records: list[dict], out: IO[str]) -> None:
    import json

    out.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")


def _render_csv(records: list[dict], out: IO[str]) -> None:
    import csv

    from guardrails.audit.query import summary_row

    rows = [summary_row(r) for r in records]
    columns = list(summary_row({}).keys())
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _render_table(records: list[dict], out: IO[str]) -> None:
    from guardrails.audit.query import summary_row

    columns = ["time", "point", "verdict", "resource", "controls", "action", "actor", "decision_id", "reason"]
    rows = [[_cell(summary_row(r)[c], c) for c in columns] for r in records]
    widths = [max([len(c)] + [len(row[i]) for row in rows]) for i, c in enumerate(columns)]
    out.write("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    for row in rows:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
    out.write(f"{len(rows)} record(s)\n")


def _cell(value: object, column: str) -> str:
    text = str(value or "")
    return text[:77] + "..." if column == "reason" and len(text) > 80 else text


_RENDERERS = {"table": _render_table, "json": _render_json, "csv": _render_csv}


def _verification_json(sink: str, result: Verification) -> dict:
    return {
        "sink": sink,
        "ok": result.ok,
        "records": result.records,
        "streams": result.streams,
        "signed": result.signed,
        "macs_checked": result.macs_checked,
        "seal_signed": result.seal_signed,
        "not_checked": result.unchecked(),
        "problems": [
            {
                "kind": p.kind,
                "stream": p.stream,
                "seq": p.seq,
                "decision_id": p.decision_id,
                "location": p.location,
                "detail": p.detail,
            }
            for p in result.problems
        ],
        "heads": {s: {"seq": h.seq, "hash": h.hash} for s, h in sorted(result.heads.items())},
    }
