"""One policy, one meaning: the same resource gives the same verdict from every source.

Each case is a SageMaker/S3 API request. It is checked as an API request document and as the
equivalent CloudFormation template (written to disk and read by the CLI path), and both must report
exactly the expected controls. Resource kinds CloudFormation lacks (training, transform, tuning, AutoML,
compilation and labeling jobs) are covered through SM-19 (a pipeline step is the same request) here
and through CloudTrail events in the runtime tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from parity_cases import CASES

from guardrails.checking import run_check
from guardrails.config import GuardrailsConfig
from guardrails.resource_kinds import SAGEMAKER_BY_OPERATION


def cloudformation_template(operation: str, request: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation form of a Create* request (same property names except noted)."""
    properties = dict(request)
    if operation == "CreateBucket":
        properties = {"BucketName": request["Bucket"]}
        if "ACL" in request:
            properties["AccessControl"] = {"public-read": "PublicRead"}[request["ACL"]]
        return {"Resources": {"R": {"Type": "AWS::S3::Bucket", "Properties": properties}}}
    if operation == "CreatePipeline":
        properties["PipelineDefinition"] = {"PipelineDefinitionBody": request["PipelineDefinition"]}
    return {"Resources": {"R": {"Type": SAGEMAKER_BY_OPERATION[operation].type, "Properties": properties}}}


def reported(run) -> set[tuple[str, str, bool]]:
    (decision,) = run.decisions
    assert decision.verdict != "error", decision.error
    return {(v.control, v.enforcement, v.unknown) for v in decision.violations}


@pytest.mark.parametrize(("case", "operation", "request_body", "expected"), CASES, ids=[c[0] for c in CASES])
def test_same_verdict_from_template_and_api_request(
    tmp_path: Path, decider, case, operation, request_body, expected
):
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps({"operation": operation, "request": request_body}))
    template_file = tmp_path / "template.yaml"
    template_file.write_text(yaml.safe_dump(cloudformation_template(operation, request_body)))

    from_request = run_check([request_file], GuardrailsConfig(), decider=decider)
    from_template = run_check([template_file], GuardrailsConfig(), decider=decider)

    assert reported(from_request) == expected
    assert reported(from_template) == expected
    assert from_request.decisions[0].verdict == from_template.decisions[0].verdict
