"""Organisation deployments: the central runtime acts in a member account through the member's
remediation role (deploy/member.yaml), assumed per event account and region.

`GUARDRAILS_REMEDIATION_ROLE_NAME` names that role; unset, the runtime acts with its own credentials in
its own account (a single-account deployment). Credentials refresh themselves before they expire.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from guardrails.runtime.clients import AwsClients

ENV_ROLE_NAME = "GUARDRAILS_REMEDIATION_ROLE_NAME"
SESSION_NAME = "guardrails-runtime"
CENTRAL_SERVICES: frozenset[str] = frozenset({"sns"})
"""Services the runtime always calls in its own (central) account, whatever the event's account: the alert
topic is the central stack's (deploy/runtime.yaml), and the member role (deploy/member.yaml) holds no
sns:Publish. Everything else (Describe*, remediation, tags, Security Hub) acts in the member account."""


class MemberClients(AwsClients):
    """A member account's clients (through its role), except CENTRAL_SERVICES, taken from `central`."""

    def __init__(self, *, central: AwsClients, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.central = central

    def client(self, service: str) -> Any:
        if service in CENTRAL_SERVICES:
            return self.central.client(service)
        return super().client(service)


class MemberAccounts:
    """AwsClients per (account, region), each on a session whose credentials come from AssumeRole."""

    def __init__(self, role_name: str, *, partition: str = "aws", base_session: Any = None) -> None:
        self.role_name = role_name
        self.partition = partition
        self._base_session = base_session
        self._clients: dict[tuple[str, str | None], AwsClients] = {}
        self.central = AwsClients(session=base_session)
        """The runtime's own clients (its credentials, its region) for CENTRAL_SERVICES."""
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls) -> MemberAccounts | None:
        role = os.environ.get(ENV_ROLE_NAME, "").strip()
        return cls(role) if role else None

    def role_arn(self, account: str) -> str:
        return f"arn:{self.partition}:iam::{account}:role/{self.role_name}"

    def clients(self, account: str, region: str | None) -> AwsClients:
        key = (account, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = MemberClients(
                    central=self.central,
                    region=region,
                    session=self._session(account, region),
                    account_id=account,
                )
            return self._clients[key]

    def _session(self, account: str, region: str | None) -> Any:
        import boto3
        from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
        from botocore.session import Session

        base = self._base_session or boto3.session.Session()
        fetcher = AssumeRoleCredentialFetcher(
            client_creator=base._session.create_client,
            source_credentials=base.get_credentials(),
            role_arn=self.role_arn(account),
            extra_args={"RoleSessionName": SESSION_NAME},
        )
        core = Session()
        # botocore has no public setter for refreshable credentials: this is how it sets them itself.
        core._credentials = DeferredRefreshableCredentials(  # type: ignore[attr-defined]  # refreshed before expiry
            method="assume-role", refresh_using=fetcher.fetch_credentials
        )
        return boto3.session.Session(botocore_session=core, region_name=region or base.region_name)
