"""The opa-server backend through the real opa-python-client, against a loopback OPA REST server that
evaluates with the real OPA Go engine (tests/opa_rest_server.py): three-engine parity, batching, bundle
revision check, `policy push` / `policy bundle build`, and what every enforcement point does when the
server is down, slow, or holds another bundle."""

from __future__ import annotations

import gzip
import io
import json
import math
import os
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from engine_corpus import comparable, corpus_documents, mutations, require_opa_go
from guardrails.cli.main import main

from guardrails.config import GuardrailsConfig, validated
from guardrails.engine import EngineUnavailableError, PolicyBundle, create_evaluator
from guardrails.engine.opa_bundle import POLICY_ID_PREFIX, build_bundle_archive, push_bundle, push_order
from guardrails.engine.opa_server import open_client
from guardrails.engine.opa_settings import OpaServerSettings

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = str(REPO / "examples")
MUTATIONS = 600
SEED = 14


@pytest.fixture(scope="module")
def bundle():
    return PolicyBundle.load()


def _start(**kwargs):
    require_opa_go()
    from opa_rest_server import OpaRestServer

    return OpaRestServer(**kwargs).start()


def _push(url: str, bundle: PolicyBundle):
    client = open_client(OpaServerSettings(url=url))
    try:
        return push_bundle(client, bundle)
    finally:
        client.close_connection()


@pytest.fixture(scope="module")
def opa(bundle):
    """A loopback OPA server holding the shipped bundle (loaded from the archive), for the module."""
    server = _start(bundle=build_bundle_archive(bundle))
    yield server
    server.stop()


@pytest.fixture
def server():
    """A fresh, empty loopback OPA server for one test."""
    server = _start()
    yield server
    server.stop()


def _evaluator(bundle, url, **settings):
    return create_evaluator(bundle, "opa-server", OpaServerSettings(url=url, **settings))


# ------------------------------------------------------------------------------------- three engines


@pytest.mark.slow
def test_three_engines_give_the_same_findings_on_every_document(bundle, opa):
    regorus = create_evaluator(bundle, "regorus")
    documents = corpus_documents(regorus)
    documents += mutations(documents, MUTATIONS, SEED)
    opa_go = create_evaluator(bundle, "opa-go")
    server = _evaluator(bundle, opa.url, batch_size=400)
    expected = [comparable(r) for r in regorus.evaluate_many(documents)]
    assert [comparable(r) for r in opa_go.evaluate_many(documents)] == expected
    via_server = [comparable(r) for r in server.evaluate_many(documents)]
    differing = [i for i, (a, b) in enumerate(zip(expected, via_server, strict=True)) if a != b]
    assert not differing, f"{len(differing)} differ, first: {json.dumps(documents[differing[0]])[:2000]}"
    assert server.round_trips == math.ceil(len(documents) / 400)  # batched, not one request per document


def test_check_with_the_opa_server_reports_what_regorus_reports(opa):
    local = CliRunner().invoke(main, ["check", "--format", "json", EXAMPLES])
    remote = CliRunner().invoke(main, ["check", "--format", "json", "--opa-url", opa.url, EXAMPLES])
    assert remote.exit_code == local.exit_code == 1, remote.output
    strip = lambda report: [  # noqa: E731
        {k: v for k, v in r.items() if k not in ("decision_id", "timestamp", "engine")}
        for r in json.loads(report)["results"]
    ]
    assert strip(remote.output) == strip(local.output)


def test_an_evaluation_error_fails_only_its_document(server, tmp_path, bundle):
    (tmp_path / "conflict.rego").write_text(
        "package guardrails.rules.conflict\nimport rego.v1\n"
        "level := 1 if input.resource.properties.A\nlevel := 2 if input.resource.properties.B\n"
        'deny contains {"control": "X-01", "message": sprintf("level %d", [level])} if level\n',
        encoding="utf-8",
    )
    custom = PolicyBundle.load([tmp_path])
    server.state.load_bundle(build_bundle_archive(custom))
    doc = lambda **p: {"resource": {"type": "T", "properties": p}, "context": {"unknown": []}}  # noqa: E731
    results = _evaluator(custom, server.url).evaluate_many([doc(A=1), doc(A=1, B=1), doc()])
    assert [f.message for f in results[0]] == ["level 1"]
    assert isinstance(results[1], Exception) and "conflict" in str(results[1])
    assert results[2] == []


# ------------------------------------------------------------------------------------ bundle checks


def test_a_server_without_the_bundle_is_an_infrastructure_error(server, bundle):
    result = CliRunner().invoke(main, ["check", "--opa-url", server.url, EXAMPLES])
    assert result.exit_code == 2
    assert f"OPA server {server.url}: it has no guardrails.batch package" in result.output


def test_a_server_holding_another_bundle_is_refused(server, bundle, tmp_path):
    (tmp_path / "extra.rego").write_text("package guardrails.rules.extra\nimport rego.v1\ndeny := set()\n")
    server.state.load_bundle(build_bundle_archive(PolicyBundle.load([tmp_path])))
    result = CliRunner().invoke(main, ["check", "--opa-url", server.url, EXAMPLES])
    assert result.exit_code == 2
    assert (
        "holds bundle revision sha256:" in result.output
        and f"not this bundle ({bundle.digest})" in result.output
    )


def test_a_half_pushed_bundle_never_decides(server, bundle, monkeypatch):
    from guardrails.engine import opa_bundle

    real_put = opa_bundle._put_module
    puts = []

    def put_then_stop(client, pid, text):  # the push stops (crash, network) after three modules
        if len(puts) == 3:
            raise ConnectionError("connection reset")
        puts.append(pid)
        real_put(client, pid, text)

    monkeypatch.setattr(opa_bundle, "_put_module", put_then_stop)
    result = CliRunner().invoke(main, ["policy", "push", "--opa-url", server.url])
    assert result.exit_code == 2 and "connection reset" in result.output
    with pytest.raises(EngineUnavailableError, match="holds bundle revision incomplete push"):
        _evaluator(bundle, server.url).evaluate_many([{"resource": {"type": "T"}}])


# ------------------------------------------------------------------------------------------- push


@pytest.mark.slow
def test_push_is_idempotent_and_removes_stale_modules(server, bundle, tmp_path):
    (tmp_path / "extra.rego").write_text("package guardrails.rules.extra\nimport rego.v1\ndeny := set()\n")
    first = CliRunner().invoke(
        main, ["policy", "push", "--opa-url", server.url, "--policy-dir", str(tmp_path)]
    )
    assert first.exit_code == 0, first.output
    assert f"removed 0 stale module(s); {server.url} now holds bundle" in first.output
    server.requests.clear()
    again = CliRunner().invoke(
        main, ["policy", "push", "--opa-url", server.url, "--policy-dir", str(tmp_path)]
    )
    assert again.exit_code == 0 and "nothing pushed" in again.output
    assert not [r for r in server.requests if r[0] in ("PUT", "DELETE")]
    shipped = CliRunner().invoke(main, ["policy", "push", "--opa-url", server.url])
    assert "removed 1 stale module(s)" in shipped.output
    assert f"{POLICY_ID_PREFIX}{tmp_path.name}/extra.rego" not in server.state.modules
    assert _evaluator(bundle, server.url).evaluate_many([{"resource": {"type": "T"}}]) == [[]]


def test_push_deletes_the_data_paths_an_earlier_push_wrote_and_this_bundle_dropped(server, bundle, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "extra.json").write_text(json.dumps({"extra": {"limits": {"max": 3}}}))
    server.state.set_data({**server.state.data, "other": {"kept": True}})  # written by someone else
    first = CliRunner().invoke(
        main, ["policy", "push", "--opa-url", server.url, "--policy-dir", str(tmp_path)]
    )
    assert first.exit_code == 0, first.output
    assert server.state.data["extra"]["limits"] == {"max": 3}
    assert "extra/limits" in server.state.data["guardrails"]["bundle_info"]["data_paths"]
    shipped = CliRunner().invoke(main, ["policy", "push", "--opa-url", server.url])
    assert shipped.exit_code == 0, shipped.output
    assert "removed 0 stale module(s) and 1 stale data document(s)" in shipped.output
    assert "limits" not in server.state.data.get("extra", {})
    assert server.state.data["other"] == {"kept": True}
    assert "extra/limits" not in server.state.data["guardrails"]["bundle_info"]["data_paths"]
    assert _evaluator(bundle, server.url).evaluate_many([{"resource": {"type": "T"}}]) == [[]]


def test_push_sends_libraries_first(tmp_path):
    (tmp_path / "a_rules.rego").write_text(
        "package guardrails.rules.acme\nimport rego.v1\nimport data.zlib\n"
        'deny contains {"control": "ACME-01", "message": "m"} if zlib.bad(input)\n'
    )
    (tmp_path / "z_lib.rego").write_text("package zlib\nimport rego.v1\nbad(x) if x.resource.type == 'T'\n")
    modules = PolicyBundle.load([tmp_path]).modules
    order = push_order(modules)
    assert order.index(f"{tmp_path.name}/z_lib.rego") < order.index(f"{tmp_path.name}/a_rules.rego")
    assert order.index("policies/lib/core.rego") < order.index("policies/main.rego")


def test_push_against_a_server_that_refuses_a_module_names_it(server, tmp_path):
    (tmp_path / "bad.rego").write_text(
        "package guardrails.rules.bad\nimport rego.v1\ndeny contains x if { x := y }\n"
    )
    result = CliRunner().invoke(
        main, ["policy", "push", "--opa-url", server.url, "--policy-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert f"{POLICY_ID_PREFIX}{tmp_path.name}/bad.rego: the server refused the module" in result.output


# ----------------------------------------------------------------------------------------- bundles


def test_bundle_build_writes_an_opa_bundle_a_server_loads(tmp_path, bundle):
    output = tmp_path / "bundle.tar.gz"
    result = CliRunner().invoke(main, ["policy", "bundle", "build", "--output", str(output)])
    assert result.exit_code == 0 and bundle.digest in result.output
    raw = output.read_bytes()
    assert raw == build_bundle_archive(bundle)  # deterministic
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(raw))) as tar:
        files = {m.name.lstrip("/"): tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = json.loads(files[".manifest"])
    assert manifest["revision"] == bundle.digest and manifest["roots"] == ["guardrails"]
    assert set(bundle.modules) <= set(files) and "guardrails-engine/batch.rego" in files
    assert not [f for f in files if f.endswith("_test.rego")]
    data = json.loads(files["data.json"])
    assert data["guardrails"]["facts"] == bundle.data["guardrails"]["facts"]  # the bundle data rides along
    info = data["guardrails"]["bundle_info"]
    assert info["revision"] == bundle.digest and {c["id"] for c in info["catalog"]} == set(
        bundle.catalog.by_id
    )

    server = _start(bundle=raw)  # as `opa run --server --bundle bundle.tar.gz`
    try:
        remote = CliRunner().invoke(main, ["check", "--format", "json", "--opa-url", server.url, EXAMPLES])
        assert remote.exit_code == 1 and json.loads(remote.output)["summary"]
        refused = CliRunner().invoke(
            main, ["policy", "push", "--opa-url", server.url, "--policy-dir", str(tmp_path)]
        )
        assert refused.exit_code == 2 and "owned by bundle" in refused.output
    finally:
        server.stop()


# ------------------------------------------------------------------------------- client settings


def test_token_comes_from_the_environment(bundle, monkeypatch):
    server = _start(token="s3cret", bundle=build_bundle_archive(bundle))
    try:
        monkeypatch.delenv("GUARDRAILS_OPA_TOKEN", raising=False)
        unauthorized = CliRunner().invoke(main, ["check", "--opa-url", server.url, EXAMPLES])
        assert unauthorized.exit_code == 2 and "HTTP 401" in unauthorized.output
        monkeypatch.setenv("GUARDRAILS_OPA_TOKEN", "s3cret")
        assert CliRunner().invoke(main, ["check", "--opa-url", server.url, EXAMPLES]).exit_code == 1
        monkeypatch.setenv("GUARDRAILS_OPA_TOKEN", "wrong")
        denied = CliRunner().invoke(main, ["check", "--opa-url", server.url, EXAMPLES])
        assert denied.exit_code == 2 and "HTTP 401" in denied.output
    finally:
        server.stop()


def test_engine_settings_come_from_the_config_file(tmp_path, opa):
    config = tmp_path / "guardrails.yaml"
    config.write_text(f"engine:\n  backend: opa-server\n  opa:\n    url: {opa.url}\n    batch_size: 2\n")
    result = CliRunner().invoke(main, ["check", "--config", str(config), EXAMPLES])
    assert result.exit_code == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("engine:\n  backend: opa-server\n  opa:\n    url: ftp://x/\n")
    rejected = CliRunner().invoke(main, ["check", "--config", str(bad), EXAMPLES])
    assert rejected.exit_code == 2 and "engine.opa.url" in rejected.output
    missing = CliRunner().invoke(main, ["check", "--engine", "opa-server", EXAMPLES])
    assert missing.exit_code == 2 and "needs the server's URL" in missing.output


# ------------------------------------------------------------------------------ failure semantics


@pytest.fixture
def stopped_url():
    server = _start()
    url = server.url
    server.stop()
    return url


def _config(url: str, **admission) -> GuardrailsConfig:
    return validated(
        GuardrailsConfig,
        {
            "engine": {"backend": "opa-server", "opa": {"url": url, "timeout_seconds": 0.5, "retries": 0}},
            "admission": admission,
        },
    )


def test_check_exits_2_when_the_server_is_down(stopped_url):
    result = CliRunner().invoke(main, ["check", "--opa-url", stopped_url, EXAMPLES])
    assert result.exit_code == 2 and f"OPA server {stopped_url}: cannot connect" in result.output


def test_check_exits_2_when_the_server_is_slow(tmp_path, bundle):
    server = _start(bundle=build_bundle_archive(bundle))
    try:
        server.delay_seconds = 1.5
        config = tmp_path / "g.yaml"
        config.write_text(
            f"engine:\n  opa:\n    url: {server.url}\n    timeout_seconds: 0.3\n    retries: 1\n"
        )
        result = CliRunner().invoke(
            main, ["check", "--engine", "opa-server", "--config", str(config), EXAMPLES]
        )
        assert result.exit_code == 2 and "timed out" in result.output
    finally:
        server.delay_seconds = 0
        server.stop()


def test_cloudformation_hook_fails_closed_unless_fail_open(stopped_url):
    from admission_support import RecordingTrail

    from guardrails.admission.cfn_hook import handle_hook_request
    from guardrails.decider import Decider

    event = json.loads(
        (REPO / "tests" / "fixtures" / "hooks" / "cloud-control-notebook-create.json").read_text()
    )
    closed = handle_hook_request(event, decider=Decider(_config(stopped_url)), trail=RecordingTrail())
    assert closed["hookStatus"] == "FAILED" and closed["errorCode"] == "InternalFailure"
    assert "cannot connect" in closed["message"]
    config = _config(stopped_url, fail_open=True)
    opened = handle_hook_request(event, decider=Decider(config), trail=RecordingTrail())
    assert opened["hookStatus"] == "SUCCESS"


def test_boto3_hook_raises_when_the_server_is_down(stopped_url):
    from guardrails.admission import GuardrailEvaluationError
    from guardrails.admission.boto3_hook import Boto3Hook
    from guardrails.decider import Decider

    hook = Boto3Hook(Decider(_config(stopped_url)), account="111122223333")
    with pytest.raises(GuardrailEvaluationError, match="cannot connect"):
        hook.check(
            "sagemaker",
            "CreateNotebookInstance",
            {
                "NotebookInstanceName": "nb",
                "InstanceType": "ml.t3.medium",
                "RoleArn": "arn:aws:iam::111122223333:role/r",
            },
        )


def test_runtime_raises_so_eventbridge_retries(stopped_url):
    from fixtures.events.builders import ACCOUNT, REGION, sagemaker_call

    from guardrails.decider import Decider
    from guardrails.runtime.clients import AwsClients
    from guardrails.runtime.processor import process_event

    event = sagemaker_call(
        "CreateNotebookInstance",
        {
            "NotebookInstanceName": "nb",
            "InstanceType": "ml.t3.medium",
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/r",
        },
    )
    clients = AwsClients(region=REGION, account_id=ACCOUNT)
    with pytest.raises(EngineUnavailableError, match="cannot connect"):
        process_event(
            event, decider=Decider(_config(stopped_url)), trail=None, clients=clients, mode="dry-run"
        )


def _tls_files(directory: Path) -> tuple[Path, Path, Path]:
    """A throw-away CA and a server certificate it signs for 127.0.0.1 (PEM files)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def cert(subject, issuer, key, signer, *, ca: bool, san=None):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = cert("test CA", "test CA", ca_key, ca_key, ca=True)
    server = cert(
        "127.0.0.1",
        "test CA",
        server_key,
        ca_key,
        ca=False,
        san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )
    pem = serialization.Encoding.PEM
    ca_file, cert_file, key_file = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca_file.write_bytes(ca.public_bytes(pem))
    cert_file.write_bytes(server.public_bytes(pem))
    key_file.write_bytes(
        server_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_file, cert_file, key_file


def test_https_server_is_verified_against_the_configured_ca_bundle(tmp_path, bundle):
    import ssl

    ca_file, cert_file, key_file = _tls_files(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = _start(bundle=build_bundle_archive(bundle), tls=context)
    try:
        assert server.url.startswith("https://127.0.0.1:")
        config = tmp_path / "g.yaml"
        config.write_text(f"engine:\n  opa:\n    url: {server.url}\n    ca_bundle: ca.pem\n    retries: 0\n")
        verified = CliRunner().invoke(
            main, ["check", "--config", str(config), "--engine", "opa-server", EXAMPLES]
        )
        assert verified.exit_code == 1, verified.output
        unverified = CliRunner().invoke(main, ["check", "--opa-url", server.url, EXAMPLES])
        assert unverified.exit_code == 2 and "TLS handshake failed" in unverified.output
    finally:
        server.stop()


@pytest.fixture
def empty_opa():
    """The OPA at GUARDRAILS_TEST_OPA_URL (token from GUARDRAILS_OPA_TOKEN) when set, to test a real OPA;
    otherwise a fresh loopback OPA REST server (no `opa` binary is to be had from the package registries)."""
    url = os.environ.get("GUARDRAILS_TEST_OPA_URL")
    if url:
        yield url
        return
    server = _start()
    yield server.url
    server.stop()


@pytest.mark.slow
def test_policy_push_then_the_server_decides_like_regorus(bundle, empty_opa):
    """`guardrails policy push` to an OPA server, then its findings are regorus's on the corpus and 300
    mutations."""
    url = empty_opa
    push = CliRunner().invoke(main, ["policy", "push", "--opa-url", url])
    assert push.exit_code == 0, push.output
    regorus = create_evaluator(bundle, "regorus")
    documents = corpus_documents(regorus)
    documents += mutations(documents, 300, SEED)
    server = _evaluator(bundle, url, timeout_seconds=30)
    expected = [comparable(r) for r in regorus.evaluate_many(documents)]
    assert [comparable(r) for r in server.evaluate_many(documents)] == expected


def test_handle_event_exits_retry_when_the_server_is_down(stopped_url, tmp_path):
    from fixtures.events.builders import ACCOUNT, REGION, sagemaker_call

    request = {
        "NotebookInstanceName": "nb",
        "InstanceType": "ml.t3.medium",
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/r",
    }
    event = tmp_path / "event.json"
    event.write_text(json.dumps(sagemaker_call("CreateNotebookInstance", request)))
    config = tmp_path / "g.yaml"
    config.write_text(
        f"engine:\n  backend: opa-server\n  opa: {{url: '{stopped_url}', retries: 0}}\n"
        f"runtime:\n  account_id: '{ACCOUNT}'\n"
    )
    result = CliRunner().invoke(
        main, ["handle-event", str(event), "--config", str(config), "--region", REGION]
    )
    assert result.exit_code == 3, result.output  # EXIT_RETRY: the event is retried, never acknowledged
    assert "EngineUnavailableError" in result.output and "cannot connect" in result.output
