"""Pydantic models of the EventBridge events the runtime reads (Powertools ships none for CloudTrail).

Field names follow the wire format (`detail-type`, lowerCamelCase CloudTrail keys). Every model keeps
unknown keys (`extra="allow"`): AWS adds fields over time and a new field must never fail an event.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail"


class SessionIssuer(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str | None = None
    principalId: str | None = None
    arn: str | None = None
    accountId: str | None = None
    userName: str | None = None


class SessionContext(BaseModel):
    model_config = ConfigDict(extra="allow")

    sessionIssuer: SessionIssuer | None = None
    attributes: dict[str, Any] | None = None


class UserIdentity(BaseModel):
    """CloudTrail `userIdentity`: who made the call."""

    model_config = ConfigDict(extra="allow")

    type: str | None = None
    principalId: str | None = None
    arn: str | None = None
    accountId: str | None = None
    accessKeyId: str | None = None
    userName: str | None = None
    invokedBy: str | None = None
    sessionContext: SessionContext | None = None

    @property
    def display_name(self) -> str | None:
        """The user, the role behind an assumed-role session, or the calling service."""
        if self.userName:
            return self.userName
        issuer = self.sessionContext.sessionIssuer if self.sessionContext else None
        if issuer is not None and issuer.userName:
            session = self.arn.rsplit("/", 1)[-1] if self.arn else None
            return f"{issuer.userName}/{session}" if session else issuer.userName
        if self.invokedBy:
            return self.invokedBy
        return self.arn.rsplit("/", 1)[-1] if self.arn else self.type


class CloudTrailResource(BaseModel):
    model_config = ConfigDict(extra="allow")

    ARN: str | None = None
    accountId: str | None = None
    type: str | None = None


class CloudTrailDetail(BaseModel):
    """The CloudTrail record carried as `detail` of an "AWS API Call via CloudTrail" event."""

    model_config = ConfigDict(extra="allow")

    eventVersion: str | None = None
    userIdentity: UserIdentity | None = None
    eventTime: str | None = None
    eventSource: str
    eventName: str
    awsRegion: str | None = None
    sourceIPAddress: str | None = None
    userAgent: str | None = None
    requestParameters: dict[str, Any] | None = None
    responseElements: dict[str, Any] | None = None
    additionalEventData: dict[str, Any] | None = None
    errorCode: str | None = None
    errorMessage: str | None = None
    requestID: str | None = None
    eventID: str | None = None
    readOnly: bool | None = None
    eventType: str | None = None
    managementEvent: bool | None = None
    recipientAccountId: str | None = None
    eventCategory: str | None = None
    resources: list[CloudTrailResource] | None = None


class EventBridgeEvent(BaseModel):
    """The EventBridge envelope. `account` is optional: some emitters (moto) leave it out."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    version: str | None = None
    id: str
    detail_type: str = Field(alias="detail-type")
    source: str
    account: str | None = None
    time: str | None = None
    region: str | None = None
    resources: list[str] = Field(default_factory=list)
    detail: dict[str, Any]
    replay_name: str | None = Field(default=None, alias="replay-name")


class CloudTrailEvent(EventBridgeEvent):
    """An "AWS API Call via CloudTrail" event with its typed CloudTrail record."""

    detail: CloudTrailDetail  # type: ignore[assignment]


class StateChangeEvent(EventBridgeEvent):
    """A SageMaker "<Kind> State Change" event: `detail` is the Describe* response (PascalCase)."""
