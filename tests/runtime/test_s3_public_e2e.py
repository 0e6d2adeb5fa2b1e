"""S3's meaning of "public" and the S3 items of issue 8, end to end through `guardrails check`.

Each source is checked once as a folder (CloudFormation templates, API request documents, CloudTrail
event files); the findings are then read per file. A case is `(file name, content, expected)`, where
`expected` maps a control to the finding it must give: "fail" (a definite violation), "unknown", or
"pass" (no finding of that control at all).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from fixtures.events.builders import ACCOUNT, cloudtrail_event, s3_call
from guardrails.cli.main import main

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALL_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def statement(condition: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    st: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::acme-data/*",
    }
    st.update(fields)
    if condition is not None:
        st["Condition"] = condition
    return st


def tls_deny(*resources: str) -> dict[str, Any]:
    return {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": list(resources),
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


DELEGATION = statement(
    {"StringEquals": {"s3:DataAccessPointAccount": ACCOUNT}},
    Action="*",
    Resource=["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"],
)
WILDCARD_VPC = statement({"StringLike": {"aws:SourceVpc": "vpc-*"}})
HALVES = statement({"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}})
SOURCE_OWNER = statement(
    {"StringEquals": {"aws:SourceOwner": ACCOUNT}}, Principal={"Service": "sns.amazonaws.com"}
)
FIXED_SOURCE_OWNER = statement({"StringEquals": {"aws:SourceOwner": ACCOUNT}})
COGNITO = statement(Principal={"Federated": "cognito-identity.amazonaws.com"})
NOT_EQUALS = statement({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})


def bucket_template(properties: dict[str, Any], policy: Any = None) -> dict[str, Any]:
    props = {"BucketName": "acme-data", **properties}
    resources: dict[str, Any] = {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": props}}
    if policy is not None:
        resources["BucketPolicy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": policy},
        }
    return {"Resources": resources}


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def kms(key: str | None) -> dict[str, Any]:
    default: dict[str, Any] = {"SSEAlgorithm": "aws:kms"}
    if key is not None:
        default["KMSMasterKeyID"] = key
    return {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": default}]}


def access_point(properties: dict[str, Any]) -> dict[str, Any]:
    props = {"Bucket": "acme-data", "Name": "reports", **properties}
    return {"Resources": {"AccessPoint": {"Type": "AWS::S3::AccessPoint", "Properties": props}}}


CLOUDFORMATION: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("delegation.json", bucket_template({}, policy(DELEGATION)), {"S3-03": "pass"}),
    ("source-owner.json", bucket_template({}, policy(SOURCE_OWNER, FIXED_SOURCE_OWNER)), {"S3-03": "pass"}),
    ("wildcard-vpc.json", bucket_template({}, policy(WILDCARD_VPC)), {"S3-03": "fail"}),
    ("ip-halves.json", bucket_template({}, policy(HALVES)), {"S3-03": "fail"}),
    ("cognito.json", bucket_template({}, policy(COGNITO)), {"S3-03": "fail"}),
    ("not-equals.json", bucket_template({}, policy(NOT_EQUALS)), {"S3-03": "fail"}),
    (
        "unparsable-policy.json",
        bucket_template({}, '{"Statement": [oops'),
        {"S3-03": "unknown", "S3-05": "unknown"},
    ),
    ("empty-bpa.json", bucket_template({"PublicAccessBlockConfiguration": {}}), {"S3-01": "fail"}),
    ("no-bpa.json", bucket_template({}), {"S3-01": "pass"}),
    ("kms-no-key.json", bucket_template({"BucketEncryption": kms(None)}), {"S3-04": "fail"}),
    ("kms-aws-alias.json", bucket_template({"BucketEncryption": kms("alias/aws/s3")}), {"S3-04": "fail"}),
    ("kms-customer.json", bucket_template({"BucketEncryption": kms(KEY_ARN)}), {"S3-04": "pass"}),
    (
        "tls-other-bucket.json",
        bucket_template({}, policy(tls_deny("arn:aws:s3:::other", "arn:aws:s3:::other/*"))),
        {"S3-05": "fail"},
    ),
    (
        "tls-this-bucket.json",
        bucket_template(
            {}, policy(tls_deny("arn:aws-us-gov:s3:::acme-data", "arn:aws-us-gov:s3:::acme-data/*"))
        ),
        {"S3-05": "pass"},
    ),
    (
        "tls-vpce-only.json",
        {
            "Parameters": {"Endpoint": {"Type": "String"}},
            **bucket_template(
                {},
                policy(
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": ["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"],
                        "Condition": {"StringNotEquals": {"aws:SourceVpce": {"Ref": "Endpoint"}}},
                    }
                ),
            ),
        },
        {"S3-05": "fail"},
    ),
    (
        "ownership-writer.json",
        bucket_template({"OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}}),
        {"S3-07": "fail"},
    ),
    ("ownership-absent.json", bucket_template({}), {"S3-07": "pass"}),
    ("access-point-default.json", access_point({}), {"S3-08": "pass"}),
    (
        "access-point-open.json",
        access_point({"PublicAccessBlockConfiguration": {**ALL_ON, "BlockPublicPolicy": False}}),
        {"S3-08": "fail"},
    ),
    (
        "access-point-public-policy.json",
        access_point(
            {
                "Policy": policy(
                    statement(Resource=f"arn:aws:s3:eu-west-1:{ACCOUNT}:accesspoint/reports/object/*")
                )
            }
        ),
        {"S3-08": "fail"},
    ),
]


def tls_template(resources: list[Any], bucket_props: dict[str, Any] | None = None) -> dict[str, Any]:
    """A bucket whose name CloudFormation generates (or gives by an expression) and a TLS Deny whose
    Resources are intrinsics naming it (or another bucket)."""
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": resources,
        "Condition": {"Bool": {"aws:SecureTransport": False}},
    }
    return {
        "Parameters": {"AppName": {"Type": "String"}},
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": bucket_props or {}},
            "Other": {"Type": "AWS::S3::Bucket", "Properties": {}},
            "BucketPolicy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": {"Statement": [statement]}},
            },
        },
    }


GET_ATT = {"Fn::GetAtt": ["Bucket", "Arn"]}
SELF_REFERENCES: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("tls-getatt.json", tls_template([GET_ATT, {"Fn::Sub": "${Bucket.Arn}/*"}]), {"S3-05": "pass"}),
    (
        "tls-sub-partition.json",
        tls_template(
            [
                {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}"},
                {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"},
            ]
        ),
        {"S3-05": "pass"},
    ),
    (
        "tls-join.json",
        tls_template([GET_ATT, {"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "Bucket"}, "/*"]]}]),
        {"S3-05": "pass"},
    ),
    (
        "tls-name-expression.json",
        tls_template(
            [
                {"Fn::Sub": "arn:${AWS::Partition}:s3:::${AppName}-data"},
                {"Fn::Sub": "arn:${AWS::Partition}:s3:::${AppName}-data/*"},
            ],
            {"BucketName": {"Fn::Sub": "${AppName}-data"}},
        ),
        {"S3-05": "pass"},
    ),
    ("tls-objects-only.json", tls_template([{"Fn::Sub": "${Bucket.Arn}/*"}]), {"S3-05": "fail"}),
    ("tls-bucket-only.json", tls_template([GET_ATT]), {"S3-05": "fail"}),
    (
        "tls-other-getatt.json",
        tls_template([{"Fn::GetAtt": ["Other", "Arn"]}, {"Fn::Sub": "${Other.Arn}/*"}]),
        {"S3-05": "unknown"},
    ),
]
CLOUDFORMATION += SELF_REFERENCES

API_REQUESTS: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    (
        "put-policy-delegation.json",
        {
            "operation": "PutBucketPolicy",
            "request": {"Bucket": "acme-data", "Policy": json.dumps(policy(DELEGATION))},
        },
        {"S3-03": "pass"},
    ),
    (
        "put-policy-wildcard.json",
        {
            "operation": "PutBucketPolicy",
            "request": {"Bucket": "acme-data", "Policy": json.dumps(policy(WILDCARD_VPC))},
        },
        {"S3-03": "fail"},
    ),
    (
        "put-policy-unparsable.json",
        {"operation": "PutBucketPolicy", "request": {"Bucket": "acme-data", "Policy": "{not json"}},
        {"S3-03": "unknown"},
    ),
    (
        "put-policy-tls-other.json",
        {
            "operation": "PutBucketPolicy",
            "request": {
                "Bucket": "acme-data",
                "Policy": json.dumps(policy(tls_deny("arn:aws:s3:::other/*", "arn:aws:s3:::other"))),
            },
        },
        {"S3-05": "fail"},
    ),
    (
        "put-bpa-empty.json",
        {
            "operation": "PutPublicAccessBlock",
            "request": {"Bucket": "acme-data", "PublicAccessBlockConfiguration": {}},
        },
        {"S3-01": "fail"},
    ),
    (
        "put-acl-grant-read.json",
        {"operation": "PutBucketAcl", "request": {"Bucket": "acme-data", "GrantRead": f'uri="{ALL_USERS}"'}},
        {"S3-02": "fail"},
    ),
    (
        "put-acl-grant-email.json",
        {
            "operation": "PutBucketAcl",
            "request": {
                "Bucket": "acme-data",
                "GrantFullControl": 'emailAddress="ops@example.com", id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"',
            },
        },
        {"S3-02": "pass"},
    ),
    (
        "put-acl-grant-garbled.json",
        {"operation": "PutBucketAcl", "request": {"Bucket": "acme-data", "GrantWriteACP": "everyone please"}},
        {"S3-02": "unknown"},
    ),
    (
        "create-bucket-grant-write.json",
        {
            "operation": "CreateBucket",
            "request": {"Bucket": "acme-data", "GrantWrite": f"uri={AUTHENTICATED_USERS}"},
        },
        {"S3-02": "fail"},
    ),
    (
        "put-encryption-no-key.json",
        {
            "operation": "PutBucketEncryption",
            "request": {
                "Bucket": "acme-data",
                "ServerSideEncryptionConfiguration": {
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
                },
            },
        },
        {"S3-04": "fail"},
    ),
    (
        "put-encryption-customer-key.json",
        {
            "operation": "PutBucketEncryption",
            "request": {
                "Bucket": "acme-data",
                "ServerSideEncryptionConfiguration": {
                    "Rules": [
                        {
                            "ApplyServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": KEY_ARN,
                            }
                        }
                    ]
                },
            },
        },
        {"S3-04": "pass"},
    ),
    (
        "put-ownership-preferred.json",
        {
            "operation": "PutBucketOwnershipControls",
            "request": {
                "Bucket": "acme-data",
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]},
            },
        },
        {"S3-07": "fail"},
    ),
    (
        "create-access-point-open.json",
        {
            "operation": "CreateAccessPoint",
            "service": "s3control",
            "request": {
                "AccountId": ACCOUNT,
                "Name": "reports",
                "Bucket": "acme-data",
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": True},
            },
        },
        {"S3-08": "fail"},
    ),
    (
        "create-access-point-default.json",
        {
            "operation": "CreateAccessPoint",
            "service": "s3control",
            "request": {"AccountId": ACCOUNT, "Name": "reports", "Bucket": "acme-data"},
        },
        {"S3-08": "pass"},
    ),
    (
        "put-access-point-policy-public.json",
        {
            "operation": "PutAccessPointPolicy",
            "service": "s3control",
            "request": {"AccountId": ACCOUNT, "Name": "reports", "Policy": policy(HALVES)},
        },
        {"S3-08": "fail"},
    ),
    (
        # a policy-only call: the access point's block settings are not in it, so S3-08 is unknown there
        "put-access-point-policy-private.json",
        {
            "operation": "PutAccessPointPolicy",
            "service": "s3control",
            "request": {"AccountId": ACCOUNT, "Name": "reports", "Policy": policy(DELEGATION)},
        },
        {"S3-08": "unknown"},
    ),
]

EVENTS: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    (
        "acl-grant-header.json",
        s3_call("PutBucketAcl", "acme-data", {"x-amz-grant-read": f'uri="{ALL_USERS}"'}),
        {"S3-02": "fail"},
    ),
    (
        "acl-grant-email.json",
        s3_call(
            "PutBucketAcl", "acme-data", {"x-amz-grant-full-control": ['emailAddress="ops@example.com"']}
        ),
        {"S3-02": "pass"},
    ),
    (
        "create-grant-header.json",
        s3_call("CreateBucket", "acme-data", {"x-amz-grant-write": f'uri="{AUTHENTICATED_USERS}"'}),
        {"S3-02": "fail"},
    ),
    (
        "bpa-empty.json",
        s3_call(
            "PutBucketPublicAccessBlock",
            "acme-data",
            {"PublicAccessBlockConfiguration": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}},
        ),
        {"S3-01": "fail"},
    ),
    (
        "policy-unparsable.json",
        s3_call("PutBucketPolicy", "acme-data", {"bucketPolicy": '{"Statement": ['}),
        {"S3-03": "unknown"},
    ),
    (
        "policy-delegation.json",
        s3_call("PutBucketPolicy", "acme-data", {"bucketPolicy": policy(DELEGATION)}),
        {"S3-03": "pass"},
    ),
    (
        "policy-halves.json",
        s3_call("PutBucketPolicy", "acme-data", {"bucketPolicy": policy(HALVES)}),
        {"S3-03": "fail"},
    ),
    (
        "create-access-point.json",
        cloudtrail_event(
            "CreateAccessPoint",
            {
                "name": "reports",
                "x-amz-account-id": ACCOUNT,
                "CreateAccessPointRequest": {
                    "xmlns": "http://awss3control.amazonaws.com/doc/2018-08-20/",
                    "Bucket": "acme-data",
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": "true",
                        "IgnorePublicAcls": "false",
                        "BlockPublicPolicy": "true",
                        "RestrictPublicBuckets": "true",
                    },
                },
            },
            source="s3.amazonaws.com",
        ),
        {"S3-08": "fail"},
    ),
    (
        "put-access-point-policy.json",
        cloudtrail_event(
            "PutAccessPointPolicy",
            {
                "name": "reports",
                "x-amz-account-id": ACCOUNT,
                "PutAccessPointPolicyRequest": {
                    "xmlns": "http://awss3control.amazonaws.com/doc/2018-08-20/",
                    "Policy": json.dumps(policy(HALVES)),  # the XML body's text
                },
            },
            source="s3-control.amazonaws.com",
        ),
        {"S3-08": "fail"},
    ),
    (
        "put-access-point-policy-not-recorded.json",
        cloudtrail_event(
            "PutAccessPointPolicy",
            {"name": "reports", "x-amz-account-id": ACCOUNT},
            source="s3-control.amazonaws.com",
        ),
        {"S3-08": "unknown"},
    ),
]


def check_folder(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """`guardrails check --format json <folder>` -> violations per file name."""
    result = CliRunner().invoke(main, ["check", "--format", "json", str(folder)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    by_file: dict[str, list[dict[str, Any]]] = {}
    for entry in json.loads(result.stdout)["results"]:
        name = Path(entry["resource"]["location"]["file"]).name
        if entry["resource"]["location"].get("logical_id") == "Other":
            continue  # the bystander bucket of the self-reference cases
        by_file.setdefault(name, []).extend(entry["violations"])
    return by_file


def outcome(violations: list[dict[str, Any]], control: str) -> str:
    mine = [v for v in violations if v["control"] == control]
    if not mine:
        return "pass"
    return "unknown" if all(v["unknown"] for v in mine) else "fail"


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict[str, list[dict[str, Any]]]]:
    out = {}
    for source, cases in (("cloudformation", CLOUDFORMATION), ("api", API_REQUESTS), ("events", EVENTS)):
        folder = tmp_path_factory.mktemp(source)
        for name, content, _ in cases:
            (folder / name).write_text(json.dumps(content))
        out[source] = check_folder(folder)
    return out


CASES = (
    [("cloudformation", *c) for c in CLOUDFORMATION]
    + [("api", *c) for c in API_REQUESTS]
    + [("events", *c) for c in EVENTS]
)


@pytest.mark.parametrize(
    ("source", "name", "content", "expected"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES]
)
def test_s3_findings_end_to_end(results, source, name, content, expected):
    assert name in results[source], f"{name} gave no result"
    violations = results[source][name]
    for control, want in expected.items():
        got = outcome(violations, control)
        assert got == want, (
            f"{name}: {control} is {got}, expected {want}: {[v for v in violations if v['control'] == control]}"
        )


def test_public_policy_message_cites_the_meaning_of_public(results):
    (v,) = [v for v in results["cloudformation"]["wildcard-vpc.json"] if v["control"] == "S3-03"]
    assert "public as S3 Block Public Access defines it" in v["message"]
    assert v["path"] == "Policy.Statement.0"


def test_aws_managed_key_message_says_why(results):
    (v,) = [v for v in results["cloudformation"]["kms-aws-alias.json"] if v["control"] == "S3-04"]
    assert "alias/aws/s3 is an AWS managed key" in v["message"]
    (w,) = [v for v in results["cloudformation"]["kms-no-key.json"] if v["control"] == "S3-04"]
    assert "AWS managed key aws/s3" in w["message"]


def test_empty_public_access_block_reports_each_flag(results):
    for source, name in (
        ("cloudformation", "empty-bpa.json"),
        ("api", "put-bpa-empty.json"),
        ("events", "bpa-empty.json"),
    ):
        paths = {v["path"] for v in results[source][name] if v["control"] == "S3-01"}
        assert paths == {f"PublicAccessBlockConfiguration.{f}" for f in ALL_ON}, (source, paths)


def test_templates_are_valid_yaml_too(tmp_path):
    """The same delegation template written as YAML gives the same verdict."""
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(bucket_template({}, policy(DELEGATION))))
    assert outcome(check_folder(tmp_path)["t.yaml"], "S3-03") == "pass"
