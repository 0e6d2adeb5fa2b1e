"""What a scan covers: (account, region) shards, from the session, an `--accounts` file or the organisation.

Each account is reached through its own boto3 session: the caller's, or one from `sts:AssumeRole` on the
account's role (with an external id when given). A shard that cannot be reached is reported, never skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from guardrails.errors import InputError
from guardrails.partitions import partition_name


class ScanInputError(InputError):
    """An `--accounts` file or option that cannot be used (exit 2, the file and field named)."""


class AccountTarget(BaseModel):
    """One account to scan (an entry of the `--accounts` file)."""

    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=r"^\d{12}$")
    role_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")
    """Assumed for this account; without it the caller's own credentials are used."""
    external_id: str | None = None
    regions: list[str] = Field(default_factory=list)
    """Regions to scan in this account; empty: the `--region` options (else the session's region)."""

    @model_validator(mode="after")
    def _role_in_account(self) -> AccountTarget:
        if self.role_arn is not None and self.role_arn.split(":")[4] != self.account_id:
            raise ValueError(f"role_arn {self.role_arn} is not a role of account {self.account_id}")
        return self


class AccountsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accounts: list[AccountTarget] = Field(min_length=1)
    external_id: str | None = None
    """Default external id for every account without its own."""


def load_accounts_file(path: Path) -> list[AccountTarget]:
    """Read `accounts:` from a YAML or JSON file; errors name the file and the field."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScanInputError(f"{path}: cannot read the accounts file: {exc.strerror or exc}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ScanInputError(f"{path}: not valid YAML/JSON: {exc}") from None
    if isinstance(data, list):
        data = {"accounts": data}
    try:
        parsed = AccountsFile.model_validate(data)
    except ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise ScanInputError(f"{path}: {fields}") from None
    return [
        a
        if a.external_id or not parsed.external_id
        else a.model_copy(update={"external_id": parsed.external_id})
        for a in parsed.accounts
    ]


def organization_accounts(
    session: Any, role_name: str, *, endpoint_url: str | None, external_id: str | None, counter: Any
) -> list[AccountTarget]:
    """Every ACTIVE account of the organisation (Organizations ListAccounts), reached through `role_name`."""
    client = counter.attach(
        session.client("organizations", endpoint_url=endpoint_url, config=_retry_config())
    )
    partition = partition_name(session.region_name)
    targets = []
    for page in client.get_paginator("list_accounts").paginate():
        for account in page.get("Accounts", []):
            if account.get("Status", "ACTIVE") != "ACTIVE":
                continue
            targets.append(
                AccountTarget(
                    account_id=account["Id"],
                    role_arn=f"arn:{partition}:iam::{account['Id']}:role/{role_name}",
                    external_id=external_id,
                )
            )
    return targets


@dataclass
class AccountAccess:
    """A reachable account: its session (assumed role or the caller's), or why it is not reachable."""

    account_id: str
    session: Any | None
    error: str | None = None


def open_account(
    base: Any, target: AccountTarget, *, endpoint_url: str | None, counter: Any
) -> AccountAccess:
    """The account's session; an AssumeRole failure is returned as `error` (the shard is reported)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    if target.role_arn is None:
        return AccountAccess(target.account_id, base)
    sts = counter.attach(base.client("sts", endpoint_url=endpoint_url, config=_retry_config()))
    params: dict[str, Any] = {"RoleArn": target.role_arn, "RoleSessionName": "guardrails-scan"}
    if target.external_id:
        params["ExternalId"] = target.external_id
    try:
        creds = sts.assume_role(**params)["Credentials"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        return AccountAccess(target.account_id, None, f"cannot assume {target.role_arn} [{code}]: {exc}")
    except BotoCoreError as exc:
        return AccountAccess(target.account_id, None, f"cannot assume {target.role_arn}: {exc}")
    session = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=base.region_name,
    )
    return AccountAccess(target.account_id, session)


def _retry_config() -> Any:
    from guardrails.runtime.clients import client_config

    return client_config()
