"""The central runtime acts in an event's member account through the member's remediation role."""

from __future__ import annotations

import pytest
from moto import mock_aws

from guardrails.cross_account import MemberAccounts


@pytest.fixture
def aws(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GUARDRAILS_REMEDIATION_ROLE_NAME", raising=False)
    with mock_aws():
        yield


def test_clients_act_as_the_member_role_in_the_event_region(aws):
    members = MemberAccounts("guardrails-remediation")
    clients = members.clients("210987654321", "eu-west-1")
    identity = clients.client("sts").get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::210987654321:assumed-role/guardrails-remediation/guardrails-runtime"
    assert clients.account_id() == "210987654321" and clients.client("s3").meta.region_name == "eu-west-1"
    assert members.clients("210987654321", "eu-west-1") is clients  # one session per account and region


def test_without_a_role_name_the_runtime_stays_in_its_own_account(aws, monkeypatch):
    assert MemberAccounts.from_environment() is None
    monkeypatch.setenv("GUARDRAILS_REMEDIATION_ROLE_NAME", "guardrails-remediation")
    assert MemberAccounts.from_environment().role_arn("1" * 12) == "arn:aws:iam::111111111111:role/guardrails-remediation"


def test_the_events_handler_picks_the_member_clients_by_event_account(aws, monkeypatch):
    from guardrails.runtime.service import MEMBERS, SERVICE, service_for

    monkeypatch.setenv("GUARDRAILS_REMEDIATION_ROLE_NAME", "guardrails-remediation")
    MEMBERS.reset()
    member = service_for({"account": "210987654321", "region": "eu-west-1"})
    assert member.clients.account_id() == "210987654321" and member.clients.region == "eu-west-1"
    assert member.decider is SERVICE.get().decider  # one decider shared by every account
    MEMBERS.reset()
    monkeypatch.delenv("GUARDRAILS_REMEDIATION_ROLE_NAME")
    assert service_for({"account": "210987654321"}) is SERVICE.get()


def test_alerts_go_to_the_central_topic_with_the_runtimes_own_credentials(aws, decider):
    # The alert topic is the central stack's and the member role holds no sns:Publish: an alert for a
    # member's resource is published with the runtime's credentials, in the runtime's region.
    import boto3

    from guardrails.runtime.alerts import publish

    members = MemberAccounts("guardrails-remediation")
    clients = members.clients("210987654321", "eu-west-1")
    sns = clients.client("sns")
    assert sns is members.clients("210987654321", "ap-south-1").client("sns") is members.central.client("sns")
    assert sns.meta.region_name == "us-east-1"
    assert clients.client("s3").meta.region_name == "eu-west-1"  # everything else acts in the member
    topic = boto3.client("sns").create_topic(Name="guardrails-alerts")["TopicArn"]
    queue = boto3.client("sqs")
    inbox = queue.create_queue(QueueName="inbox")["QueueUrl"]
    inbox_arn = queue.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn)
    from guardrails.sources.api_request import document_from_request

    request = {"NotebookInstanceName": "nb", "InstanceType": "ml.t3.medium", "RoleArn": "r"}
    document = document_from_request("CreateNotebookInstance", request, account="210987654321", region="eu-west-1")
    decision = decider.decide(document)
    assert decision.verdict == "deny"
    assert publish(topic, decision, None, [], clients)
    (message,) = queue.receive_message(QueueUrl=inbox)["Messages"]
    assert "guardrails deny" in message["Body"]
