"""Documents for the engine differential tests: what the real adapters build, plus seeded mutations.

`corpus_documents()` reads, through the same adapters `check`, the hook and the runtime use, every input
file the suite and its samples hold (tests/fixtures, examples/, ../shared/corpus),
the CloudFormation Lambda Hook requests of tests/fixtures/hooks and tests/fixtures/samples, the API requests
of the source-parity tests, and templates of the benchmark generator. `mutations()` derives seeded
variants from them: a field removed, a value marked unknown (and listed in `context.unknown`), a value
of another JSON type, and principal / condition / ACL / encryption / KMS key / instance-type variants
swapped in where such a field is.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fixture_paths import CORPUS, SAMPLES, in_ci

REPO = Path(__file__).resolve().parents[1]
INPUT_DIRS = [
    REPO / "tests" / "fixtures" / "cloudformation",
    REPO / "tests" / "fixtures" / "events",
    REPO / "examples",
    CORPUS,
    SAMPLES,
]
HOOK_DIRS = [REPO / "tests" / "fixtures" / "hooks", REPO / "tests" / "fixtures" / "samples"]
BENCH_TEMPLATE_SIZES = (40, 200)

ACCOUNT_ROLE = "arn:aws:iam::111122223333:role/r"
CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
VARIANTS: dict[str, list[Any]] = {
    "Principal": [
        "*",
        {"AWS": "*"},
        {"AWS": [ACCOUNT_ROLE, "*"]},
        {"AWS": ACCOUNT_ROLE},
        {"AWS": "111122223333"},
        {"Service": "cloudtrail.amazonaws.com"},
        {"Federated": "cognito-identity.amazonaws.com"},
        {"Federated": "arn:aws:iam::111122223333:saml-provider/corp"},
        {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
        {"AWS": "<unknown: Ref Principal>"},
        {"AWS": "<unknown specific: AWS::AccountId>"},
        "<unknown: Ref Principal>",
        [],
        7,
    ],
    "NotPrincipal": [{"AWS": ACCOUNT_ROLE}, "*", {"AWS": ["*"]}],
    "Effect": ["Allow", "Deny", "allow", "DENY", "Maybe", "<unknown: Ref Effect>", None],
    "Condition": [
        {},
        {"Bool": {"aws:SecureTransport": "false"}},
        {"Bool": {"aws:SecureTransport": ["false"]}},
        {"Bool": {"aws:SecureTransport": False}},
        {"StringEquals": {"aws:SourceAccount": "111122223333"}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"StringLike": {"aws:PrincipalOrgID": "o-*"}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:sns:eu-west-1:111122223333:t"}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*"}},
        {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c"}},
        {"StringEquals": {"aws:SourceVpc": ["vpc-1", "vpc-2"]}},
        {"StringEquals": {"aws:SourceOwner": "111122223333"}},
        {"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}},
        {"StringLike": {"aws:userid": "AROAEXAMPLE:*"}},
        {"StringLike": {"aws:userid": "AROA*:*"}},
        {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
        {"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}},
        {"IpAddress": {"aws:SourceIp": "2001:db8::/16"}},
        {"StringEquals": {"aws:SourceAccount": "<unknown: Ref Account>"}},
        {"StringEquals": {"aws:username": "alice"}},
        "<unknown: Ref Condition>",
        [],
    ],
    "AccessControl": [
        "Private",
        "PublicRead",
        "PublicReadWrite",
        "AuthenticatedRead",
        "LogDeliveryWrite",
        "BucketOwnerFullControl",
        "<unknown: Ref Acl>",
        3,
    ],
    "GrantRead": [
        'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
        'uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers", id="abc"',
        'emailAddress="x@example.com"',
        'id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"',
    ],
    "SSEAlgorithm": ["AES256", "aws:kms", "aws:kms:dsse", "none", "<unknown: Ref Sse>", ""],
    "KMSMasterKeyID": [
        CMK,
        "alias/aws/s3",
        "alias/team-key",
        "arn:aws:kms:eu-west-1:111122223333:alias/aws/s3",
        "",
    ],
    "KmsKeyId": [CMK, "alias/aws/sagemaker", "alias/team-key", "", "<unknown: Ref Key>", None],
    "VolumeKmsKeyId": [CMK, "alias/aws/sagemaker", "", "<unknown: Ref Key>"],
    "InstanceType": [
        "ml.m5.xlarge",
        "ml.p4d.24xlarge",
        "ml.p5.48xlarge",
        "ml.g5.2xlarge",
        "ml.g4dn.xlarge",
        "ml.m5d.large",
        "ml.c5d.xlarge",
        "ml.r5d.2xlarge",
        "ml.trn1.32xlarge",
        "ml.t3.medium",
        "<unknown: Ref InstanceType>",
    ],
    "DirectInternetAccess": ["Enabled", "Disabled", "<unknown: Ref Dia>"],
    "RootAccess": ["Enabled", "Disabled"],
    "EnableNetworkIsolation": [True, False, "true", "<unknown: Ref Iso>"],
    "EnableInterContainerTrafficEncryption": [True, False, "false"],
    "BlockPublicAcls": [True, False, "true", "<unknown: Ref Flag>"],
    "RestrictPublicBuckets": [True, False],
    "Subnets": [[], ["subnet-1"], "<unknown: Ref Subnets>"],
    "SecurityGroupIds": [[], ["sg-1"]],
    "AppNetworkAccessType": ["PublicInternetOnly", "VpcOnly"],
    "MinimumInstanceMetadataServiceVersion": ["1", "2"],
}
OTHER_TYPES: list[Any] = [None, True, 0, -1, 1.5, "", "x", [], [None], {}, {"x": 1}, "<unknown: Ref X>"]


def _load_files() -> Iterator[dict[str, Any]]:
    from guardrails.sources.discovery import load_inputs

    # Files that are not inputs of ours (terraform, hook requests) are skipped; invalid ones are error
    # results of their own and give no document.
    if not CORPUS.is_dir() and in_ci():  # used when present; CI lays ../shared beside the repository
        import pytest

        pytest.fail(f"{CORPUS} is missing in CI: the differential tests take its documents")
    loaded = load_inputs([d for d in INPUT_DIRS if d.is_dir()])
    for document in loaded.documents:
        yield document.to_input()


class _RecordingEvaluator:
    """Wraps the regorus evaluator and keeps every document a Decider hands to it."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.version, self.bundle = inner, inner.name, inner.version, inner.bundle
        self.seen: list[dict[str, Any]] = []

    def evaluate_many(self, documents: Any) -> Any:
        docs = list(documents)
        self.seen.extend(docs)
        return self.inner.evaluate_many(docs)


def _hook_documents(regorus: Any) -> list[dict[str, Any]]:
    from guardrails.admission.cfn_hook import handle_hook_request
    from guardrails.decider import Decider

    recorder = _RecordingEvaluator(regorus)
    decider = Decider(evaluator=recorder)  # type: ignore[arg-type]
    payloads = [
        p
        for p in (
            REPO / "tests" / "fixtures" / "hooks" / "change-set-payload.json",
            SAMPLES / "cfn-lambda-hook-stack-payload-object.json",
        )
        if p.is_file()
    ]
    for directory in HOOK_DIRS:
        if not directory.is_dir():
            continue
        for file in sorted(directory.glob("*.json")):
            try:
                event = json.loads(file.read_text(encoding="utf-8"))
            except ValueError:
                continue
            if not isinstance(event, dict) or "requestData" not in event:
                continue
            for payload in payloads or [None]:
                body = json.loads(payload.read_text(encoding="utf-8")) if payload else {}
                handle_hook_request(event, decider=decider, trail=None, fetch=lambda url, b=body: b)
    return recorder.seen


def _parity_case_documents() -> Iterator[dict[str, Any]]:
    from parity_cases import CASES

    from guardrails.sources.api_request import load_api_request
    from guardrails.sources.errors import SourceError

    for case_id, operation, request, _ in CASES:
        data = {"operation": operation, "request": request}
        try:
            documents = load_api_request(Path(f"{case_id}.json"), data, point="pre-deploy")
        except SourceError:
            continue
        for document in documents:
            yield document.to_input()


def _bench_documents() -> Iterator[dict[str, Any]]:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate_templates import generate_template
    finally:
        sys.path.pop(0)
    from guardrails.sources.cloudformation import documents_from_template, parse_structured_text

    for size in BENCH_TEMPLATE_SIZES:
        text, _ = generate_template(size, seed=size)
        data, lines = parse_structured_text(text, f"bench_{size}.yaml")
        for document in documents_from_template(data, file=f"bench_{size}.yaml", parameters={}, lines=lines):
            yield document.to_input()


def corpus_documents(regorus: Any) -> list[dict[str, Any]]:
    """Every distinct document the adapters build from the suite's inputs (see the module docstring)."""
    documents: dict[str, dict[str, Any]] = {}
    for source in (_load_files(), _hook_documents(regorus), _parity_case_documents(), _bench_documents()):
        for document in source:
            documents.setdefault(json.dumps(document, sort_keys=True), document)
    return list(documents.values())


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path, value) of every value inside `value` (object keys and list indices)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key), item
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index), item
            yield from _paths(item, (*prefix, index))


def _target(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The document itself or, sometimes, one of its related documents (mutated in place)."""
    related = list(document.get("related", {}).values())
    if related and rng.random() < 0.25:
        return rng.choice(related)
    return document


def mutate(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One seeded mutation of a copy of `document`."""
    doc = copy.deepcopy(document)
    target = _target(doc, rng)
    properties = target.get("resource", {}).get("properties")
    if not isinstance(properties, dict):
        return doc
    paths = list(_paths(properties))
    if not paths:
        return doc
    kind = rng.choice(("remove", "unknown", "absent-unknown", "retype", "variant", "variant", "variant"))
    if kind == "absent-unknown":
        # An absent member listed as unknown (with its placeholder or, as some tests write it, without).
        objects = [(p, v) for p, v in [((), properties), *paths] if isinstance(v, dict)]
        path, obj = rng.choice(objects)
        absent = [k for k in VARIANTS if k not in obj]
        key = rng.choice(absent)
        if rng.random() < 0.5:
            obj[key] = "<unknown: mutation>"
        context = target.setdefault("context", {})
        context["unknown"] = sorted({*context.get("unknown", []), ".".join(str(p) for p in (*path, key))})
        return doc
    if kind == "variant":
        candidates = [(p, v) for p, v in paths if isinstance(p[-1], str) and p[-1] in VARIANTS]
        if candidates:
            path, _ = rng.choice(candidates)
            _set(properties, path, copy.deepcopy(rng.choice(VARIANTS[path[-1]])))
            return doc
        kind = "unknown"
    path, _ = rng.choice(paths)
    if kind == "remove":
        parent = _get(properties, path[:-1])
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    elif kind == "unknown":
        dotted = ".".join(str(p) for p in path)
        specific = rng.random() < 0.2
        marker = "<unknown specific: mutation>" if specific else "<unknown: mutation>"
        _set(properties, path, marker)
        context = target.setdefault("context", {})
        context["unknown"] = sorted({*context.get("unknown", []), dotted})
    else:
        _set(properties, path, copy.deepcopy(rng.choice(OTHER_TYPES)))
    return doc


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def _set(value: Any, path: tuple[Any, ...], new: Any) -> None:
    _get(value, path[:-1])[path[-1]] = new


def mutations(documents: list[dict[str, Any]], count: int, seed: int) -> list[dict[str, Any]]:
    """`count` mutated documents (one to three mutations each), reproducible from `seed`."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for _ in range(count):
        doc = rng.choice(documents)
        for _ in range(rng.randint(1, 3)):
            doc = mutate(doc, rng)
        out.append(doc)
    return out


def require_opa_go() -> None:
    """Skip when the OPA Go engine is not installed, but fail in CI, where it must be."""
    from fixture_paths import unavailable

    from guardrails.engine.opa_go import INSTALL_HINT, opa_go_available

    if not opa_go_available():
        unavailable(
            "the OPA Go engine (opa_bindings)",
            f"{INSTALL_HINT}; .ci/run installs it: the engine parity tests must run in CI",
        )


def comparable(result: Any) -> Any:
    """A result as the differential tests compare it: an error is an error, findings as a sorted list."""
    if isinstance(result, Exception):
        return "engine error"
    return sorted(json.dumps(dataclasses.asdict(f), sort_keys=True) for f in result)
