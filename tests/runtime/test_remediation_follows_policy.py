"""S3 remediation acts on what the Rego policy says fails, not on a Python copy of the rule: the same
bucket under a changed policy (Block Public Access without RestrictPublicBuckets, AuthenticatedUsers
grants not counted public) gets a different remediation, or none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from runtime_support import ACCOUNT, REGION

from guardrails.config import GuardrailsConfig, RuntimeConfig
from guardrails.decider import Decider
from guardrails.documents import ResourceDocument
from guardrails.engine import PolicyBundle, create_evaluator
from guardrails.engine.bundle import default_policy_dir
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.remediation import RemediationContext
from guardrails.runtime.remediation.account import put_account_public_access_block
from guardrails.runtime.remediation.s3 import acl_private, put_public_access_block
from guardrails.validation import validate

BUCKET = "acme-remediation-policy"
FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
AUTHENTICATED = 'uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"'


@pytest.fixture
def bucket(aws: AwsClients) -> str:
    """The bucket the tests remediate, on moto (the `aws` fixture, tests/conftest.py)."""
    aws.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return BUCKET


@pytest.fixture(scope="module")
def changed_policy(tmp_path_factory) -> Decider:
    """The shipped bundle with two rules changed in the Rego (nothing in Python): Block Public Access
    needs three flags (not RestrictPublicBuckets), and only AllUsers grants make an ACL public."""
    root = tmp_path_factory.mktemp("policies") / "policies"
    shutil.copytree(default_policy_dir(), root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    checks = root / "s3" / "s3_checks.rego"
    text = checks.read_text()
    changed = (
        text.replace("\tc.RestrictPublicBuckets == true\n", "")
        .replace(', "RestrictPublicBuckets"]', "]")
        .replace(
            '["/groups/global/AllUsers", "/groups/global/AuthenticatedUsers"]', '["/groups/global/AllUsers"]'
        )
    )
    assert changed.count("RestrictPublicBuckets") < text.count("RestrictPublicBuckets")
    assert "/groups/global/AuthenticatedUsers" not in changed.split("grant_violation", 1)[1]
    checks.write_text(changed)
    bundle = PolicyBundle.load([root], include_default=False)
    return Decider(GuardrailsConfig(), create_evaluator(bundle))


def _bucket() -> ResourceDocument:
    return validate(
        ResourceDocument,
        {
            "resource": {"type": "AWS::S3::Bucket", "name": BUCKET, "account": ACCOUNT, "region": REGION},
            "context": {"point": "runtime", "source": "cloudtrail"},
        },
    )


def _ctx(clients: AwsClients, decider: Decider) -> RemediationContext:
    return RemediationContext(clients=clients, config=RuntimeConfig(), decider=decider, dry_run=False)


def _block(clients: AwsClients) -> dict[str, bool]:
    got = clients.client("s3").get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    return {flag: got.get(flag, False) for flag in FLAGS}


def test_bucket_block_public_access_puts_the_flags_the_policy_requires(aws, bucket, decider, changed_policy):
    s3 = aws.client("s3")
    s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration=dict.fromkeys(FLAGS, False))

    result = put_public_access_block(_bucket(), ["S3-01"], _ctx(aws, changed_policy))
    assert result.outcome == "succeeded", result
    assert _block(aws) == {**dict.fromkeys(FLAGS, True), "RestrictPublicBuckets": False}

    # the same state is compliant for the changed policy, not for the shipped one
    again = put_public_access_block(_bucket(), ["S3-01"], _ctx(aws, changed_policy))
    assert (again.outcome, again.reason) == ("skipped", "already compliant")
    shipped = put_public_access_block(_bucket(), ["S3-01"], _ctx(aws, decider))
    assert shipped.outcome == "succeeded" and _block(aws) == dict.fromkeys(FLAGS, True)


def test_flags_already_on_stay_on_and_a_missing_configuration_gets_all_the_policy_names(aws, bucket, decider):
    result = put_public_access_block(_bucket(), ["S3-01"], _ctx(aws, decider))  # moto: no configuration
    assert result.outcome == "succeeded" and _block(aws) == dict.fromkeys(FLAGS, True)


def test_acl_counts_as_public_what_the_policy_counts(aws, bucket, decider, changed_policy):
    s3 = aws.client("s3")
    s3.put_bucket_acl(Bucket=BUCKET, GrantRead=AUTHENTICATED)

    kept = acl_private(_bucket(), ["S3-02"], _ctx(aws, changed_policy))
    assert (kept.outcome, kept.reason) == ("skipped", "already compliant")
    assert any("AuthenticatedUsers" in str(g) for g in s3.get_bucket_acl(Bucket=BUCKET)["Grants"])

    fixed = acl_private(_bucket(), ["S3-02"], _ctx(aws, decider))
    assert fixed.outcome == "succeeded", fixed
    assert not any("AuthenticatedUsers" in str(g) for g in s3.get_bucket_acl(Bucket=BUCKET)["Grants"])


def test_account_block_public_access_follows_the_policy_too(aws, bucket, decider, changed_policy):
    s3control = aws.client("s3control")
    three = {**dict.fromkeys(FLAGS, True), "RestrictPublicBuckets": False}
    s3control.put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=three)
    account = validate(
        ResourceDocument,
        {
            "resource": {"type": "AWS::S3::AccountPublicAccessBlock", "name": ACCOUNT, "account": ACCOUNT},
            "context": {"point": "runtime", "source": "cloudtrail"},
        },
    )
    kept = put_account_public_access_block(account, ["S3-06"], _ctx(aws, changed_policy))
    assert (kept.outcome, kept.reason) == ("skipped", "already compliant")
    fixed = put_account_public_access_block(account, ["S3-06"], _ctx(aws, decider))
    assert fixed.outcome == "succeeded", fixed
    got = s3control.get_public_access_block(AccountId=ACCOUNT)["PublicAccessBlockConfiguration"]
    assert all(got[flag] is True for flag in FLAGS)


def test_no_python_copy_of_the_s3_rules_is_left_in_remediation() -> None:
    import guardrails.runtime.remediation.account as account
    import guardrails.runtime.remediation.s3 as s3

    for module in (s3, account):
        source = Path(module.__file__).read_text()
        assert "groups/global" not in source  # which grantees are public: the policy's
        assert "is True for f in" not in source  # which flag values pass: the policy's
