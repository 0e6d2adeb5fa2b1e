"""One template, one verdict: `guardrails check --format json`, a STACK hook and one RESOURCE hook per
resource report the same (logical id, control, enforcement) set and the same verdict per resource.

The RESOURCE hooks are built from the resolved properties of the check's documents, as CloudFormation
would send them: references to other resources of the template carry the physical name of the
resource they name, and those resources are answered by a describer over the same documents (as
Describe* would answer once they exist).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from admission_support import (
    ACCOUNT,
    REGION,
    RecordingTrail,
    loopback_fetch,
    payload_server,
    resource_event,
    stack_event,
)
from click.testing import CliRunner
from fixture_paths import require
from guardrails.cli.main import main

from guardrails.admission.cfn_hook import handle_hook_request
from guardrails.checking import run_check
from guardrails.config import AdmissionConfig, GuardrailsConfig
from guardrails.documents import ResourceDocument
from guardrails.sources.api_request import document_from_request

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "cloudformation"
STACK_NAME = "parity"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK_NAME}/0a1b2c3d"
PSEUDO = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::StackName": STACK_NAME,
    "AWS::StackId": STACK_ID,
}
BUCKET_ASPECTS = ("PublicAccessBlockConfiguration", "AccessControl", "BucketEncryption")
TEMPLATES = [
    REPO / "examples" / "ml-serving-stack.yaml",
    REPO / "examples" / "secure-notebook.yaml",
    CORPUS
    / "aws-samples__amazon-sagemaker-secure-mlops__mlops-seed-code__model-deploy__cfn-sm-endpoint-template.yaml",
    CORPUS
    / "aws-samples__sagemaker-custom-project-templates__mlops-shadow-deployment__seedcode__deploy__endpoint-config-template.yml",
    CORPUS / "aws-cloudformation__aws-cloudformation-templates__S3__compliant-bucket.json",
    CORPUS
    / "aws-samples__secure-data-science-reference-architecture__cloudformation__ds_env_backing_store.yaml",
]


def via_check(path: Path) -> tuple[set, dict, bool]:
    args = ["check", "--format", "json", *[f"-p{k}={v}" for k, v in PSEUDO.items()], str(path)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    found = {
        (r["resource"]["location"]["logical_id"], v["control"], v["enforcement"])
        for r in report["results"]
        for v in r["violations"]
    }
    verdicts = {r["resource"]["location"]["logical_id"]: r["verdict"] for r in report["results"]}
    return found, verdicts, result.exit_code == 1


def from_records(records) -> tuple[set, dict]:
    found = {(r.source_ref.logical_id, v.control, v.enforcement) for r in records for v in r.violations}
    return found, {r.source_ref.logical_id: r.verdict for r in records}


def via_stack_hook(path: Path, decider) -> tuple[set, dict, bool]:
    trail = RecordingTrail()
    body = json.dumps({"template": path.read_text(encoding="utf-8")}).encode()
    with payload_server({"/payload": body}) as (base, access):
        response = handle_hook_request(
            stack_event(f"{base}/payload?X-Amz-Signature=x", stack_id=STACK_ID),
            decider=decider,
            trail=trail,
            fetch=loopback_fetch(access),
        )
    if not trail.records:
        assert response["hookStatus"] == "SUCCESS"
    return (*from_records(trail.records), response["hookStatus"] == "FAILED")


def physical(document: ResourceDocument) -> dict:
    """The properties as CloudFormation resolves them: a reference to another template resource is
    that resource's (physical) name."""
    properties = copy.deepcopy(document.resource.properties)
    for key, related in document.related.items():
        related_type, reference = key.split("/", 1)
        if related_type.endswith("::EndpointConfig") and properties.get("EndpointConfigName") == reference:
            properties["EndpointConfigName"] = related.resource.name
        for list_name in ("ProductionVariants", "ShadowProductionVariants"):
            for variant in properties.get(list_name) or []:
                if isinstance(variant, dict) and variant.get("ModelName") == reference:
                    variant["ModelName"] = related.resource.name
    return properties


class TemplateDescriber:
    """Answers Describe* from the template's own documents (the resources exist once created)."""

    def __init__(self, documents: list[ResourceDocument]) -> None:
        self.by_name: dict[tuple[str, str], ResourceDocument] = {}
        pending = list(documents)
        while pending:
            document = pending.pop()
            self.by_name.setdefault((document.resource.type, document.resource.name), document)
            pending.extend(document.related.values())

    def related(self, kind, name):
        found = self.by_name.get((kind.type, name))
        if found is None:
            return None
        try:
            return document_from_request(
                kind.operations[0], physical(found), service="sagemaker", point="admission", source="live"
            )
        except ValueError:  # no name in the template (CloudFormation would generate one): not knowable
            return None

    def bucket_properties(self, name, aspects):
        return {}, list(aspects)  # a bucket outside the template: nothing known

    def key_documents(self, document):
        return {}  # KMS is not asked: a key keeps the presence convention, as at pre-deploy


def via_resource_hooks(path: Path, decider) -> tuple[set, dict, bool]:
    documents = run_check([path], GuardrailsConfig(), PSEUDO, decider=decider).documents
    describer = TemplateDescriber(documents)
    trail = RecordingTrail()
    failed = False
    for document in documents:
        logical_id = document.context.location.logical_id
        resource_type, properties = document.resource.type, physical(document)
        if resource_type == "AWS::S3::Bucket" and all(
            a in document.context.unknown and a not in properties for a in BUCKET_ASPECTS
        ):  # a policy for a bucket outside the template: CloudFormation sends the BucketPolicy
            resource_type = "AWS::S3::BucketPolicy"
            properties = {"Bucket": document.resource.name, "PolicyDocument": properties.get("Policy")}
        event = resource_event(
            resource_type, logical_id, properties, token=f"tok-{logical_id}", stack_id=STACK_ID
        )
        response = handle_hook_request(
            event,
            decider=decider,
            trail=trail,
            config=AdmissionConfig(describe_related_resources=True),
            describe=describer,
        )
        failed |= response["hookStatus"] == "FAILED"
    return (*from_records(trail.records), failed)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name[-60:])
def test_same_template_same_verdict_via_check_stack_hook_and_resource_hooks(path, decider):
    require(path)
    checked, check_verdicts, check_blocks = via_check(path)
    stacked, stack_verdicts, stack_blocks = via_stack_hook(path, decider)
    per_resource, resource_verdicts, resource_blocks = via_resource_hooks(path, decider)

    assert stacked == checked
    assert per_resource == checked
    assert stack_verdicts == check_verdicts == resource_verdicts
    assert stack_blocks == check_blocks == resource_blocks


def test_parity_cases_cover_deny_and_allow(decider):
    present = [p for p in TEMPLATES if p.exists()]
    outcomes = {via_check(p)[2] for p in present}
    assert outcomes == {True, False} or len(present) < 3
