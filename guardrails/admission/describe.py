"""Admission's reader of what a hook payload only references: guardrails.sources.live, on_error="unknown".

AccessDenied, NotFound, throttling, no credentials... every failed read leaves the value unknown (the
policies then report `unknown`, fail closed); a read error never raises out of the hook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from guardrails.documents import ResourceDocument
from guardrails.resource_kinds import ResourceKind
from guardrails.runtime.clients import AwsClients
from guardrails.sources.live import LiveReader


class RelatedResourceDescriber(Protocol):
    """What the admission hooks ask about resources outside the payload (LiveReader; a fake in tests)."""

    def related(self, kind: ResourceKind, name: str) -> ResourceDocument | None:
        """An existing resource a payload references, as a document; None when not knowable."""
        ...

    def bucket_properties(self, name: str, aspects: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
        """(`aspects` of an existing bucket, those that could not be read); a not-configured aspect is
        left out; ResourceGone when there is no such bucket."""
        ...

    def key_documents(self, document: ResourceDocument) -> dict[str, ResourceDocument]:
        """The KMS keys `document` names, described (`AWS::KMS::Key/<value>` -> its document); a key
        that cannot be described has its KeyManager unknown (the presence convention stands)."""
        ...


class AwsDescriber(LiveReader):
    """The live reader as admission uses it: failed reads stay unknown, answers are cached for the
    describer's lifetime (one hook invocation, or one boto3-hook call)."""

    def __init__(
        self,
        client_for: Callable[[str], Any],
        *,
        account: str | None = None,
        region: str | None = None,
        regional_client_for: Callable[[str, str], Any] | None = None,
    ) -> None:
        """`client_for(service)`: the clients of the request's region; `regional_client_for(service,
        region)`: those of another region (a KMS key ARN in another region); without it such a key is
        asked in the request's region, where KMS cannot describe it (its manager stays unknown)."""
        clients = AwsClients(
            region=region, client_for=client_for, account_id=account, regional_client_for=regional_client_for
        )
        super().__init__(clients, on_error="unknown", point="admission", account=account, region=region)

    @classmethod
    def from_session(
        cls, session: Any = None, region: str | None = None, account: str | None = None
    ) -> AwsDescriber:
        """Clients from a boto3 Session (default: a new one from the environment)."""

        def client_in(service: str, where: str | None) -> Any:
            import boto3

            source: Any = session or boto3.Session()  # boto3-stubs types clients by a literal service name
            return source.client(service, region_name=where)

        return cls(
            lambda service: client_in(service, region),
            account=account,
            region=region,
            regional_client_for=client_in,
        )
