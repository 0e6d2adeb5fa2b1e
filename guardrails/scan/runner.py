"""Run a scan: reach every (account, region) shard, list, read live state, decide, remediate, audit.

Reads run on a bounded thread pool (boto3 clients are thread-safe once created; they are created on the main
thread). Decisions are made on the main thread (regorus engines are per thread). A shard, listing or
resource that cannot be read is an error of the run (exit 2), named by account/region; the rest continues.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from guardrails.decider import Decider
from guardrails.documents import ResourceDocument
from guardrails.errors import AwsError
from guardrails.report.model import CheckRun
from guardrails.resource_kinds import BY_TYPE, S3_BUCKET
from guardrails.runtime.clients import AwsClients, error_code
from guardrails.runtime.errors import ResourceGone
from guardrails.scan.counting import ApiCallCounter
from guardrails.scan.inventory import ACCOUNT_BLOCK_TYPE, Listed, list_buckets, list_sagemaker
from guardrails.scan.targets import AccountTarget, open_account
from guardrails.sources.errors import SourceError
from guardrails.sources.live import LiveReader

Progress = Callable[[str, str, int], None]
"""`progress(shard, kind type, resources done)`: called as reads complete (the CLI draws bars)."""


@dataclass
class ScanOptions:
    regions: list[str]
    kinds: list[str]
    since: timedelta | None = timedelta(days=30)
    concurrency: int = 8
    endpoint_url: str | None = None


class CountingClients(AwsClients):
    """AwsClients whose every client reports its calls to the scan's counter."""

    def __init__(self, counter: ApiCallCounter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._counter = counter

    @property
    def counter(self) -> ApiCallCounter:
        return self._counter

    def client(self, service: str) -> Any:
        if service not in self._clients:
            super().client(service)
            if service == "s3control" and self.endpoint_url:
                # An endpoint override (moto_server, LocalStack) serves every account on one host: the
                # `<account>.` host prefix real S3 Control needs would not resolve there.
                self._clients[service].meta.events.register("before-sign.*.*", _strip_account_host)
            self._counter.attach(self._clients[service])
        return self._clients[service]

    def regional_client(self, service: str, region: str | None) -> Any:
        """A client in another region (a KMS key ARN of another region), counted like the others."""
        key = f"{service}@{region}"
        fresh = key not in self._clients
        made = super().regional_client(service, region)
        if fresh and self._clients.get(key) is made:
            self._counter.attach(made)
        return made


def _strip_account_host(request: Any, **_: Any) -> None:
    scheme, sep, rest = request.url.partition("://")
    host, slash, path = rest.partition("/")
    first, dot, remainder = host.partition(".")
    if first.isdigit() and len(first) == 12 and remainder:
        request.url = f"{scheme}{sep}{remainder}{slash}{path}"


@dataclass
class Shard:
    account: str
    region: str
    clients: CountingClients
    reader: LiveReader

    @property
    def label(self) -> str:
        return f"{self.account}/{self.region}"


@dataclass
class ScanRun:
    """A scan's result: the CheckRun the reports render, plus what only a scan has."""

    run: CheckRun
    calls: ApiCallCounter
    shards: list[str] = field(default_factory=list)
    failed_shards: list[str] = field(default_factory=list)
    gone: int = 0
    """Resources listed but deleted before they were read (not judged: they no longer exist)."""
    shard_of: dict[int, Shard] = field(default_factory=dict, repr=False)
    """Decision index -> the shard whose clients read it (remediation acts through them)."""

    def summary(self) -> dict[str, Any]:
        controls: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        accounts: dict[str, Counter[str]] = {}
        for d in self.run.decisions:
            kinds[d.resource.type] += 1
            account = d.resource.account or "(unknown account)"
            accounts.setdefault(account, Counter())[d.verdict] += 1
            for v in d.violations:
                if v.counts:
                    controls[f"{v.control} {v.enforcement}{' unknown' if v.unknown else ''}"] += 1
        return {
            "shards": len(self.shards),
            "failed_shards": self.failed_shards,
            "resources_gone": self.gone,
            "by_control": dict(sorted(controls.items())),
            "by_kind": dict(sorted(kinds.items())),
            "by_account": {a: dict(sorted(c.items())) for a, c in sorted(accounts.items())},
            "api_calls": {
                "total": self.calls.total,
                "http_requests": self.calls.attempts,
                "by_operation": self.calls.by_operation(),
            },
        }


def run_scan(
    targets: list[AccountTarget] | None,
    options: ScanOptions,
    decider: Decider,
    *,
    base_session: Any = None,
    counter: ApiCallCounter | None = None,
    progress: Progress | None = None,
) -> ScanRun:
    """Scan `targets` (None: the caller's own account) in `options.regions`."""
    import boto3

    counter = counter or ApiCallCounter()
    base = base_session or boto3.session.Session()
    errors: list[SourceError] = []
    scan = ScanRun(run=CheckRun(decisions=[]), calls=counter)
    shards: list[Shard] = []
    bucket_shards: list[Shard] = []
    if targets is None:
        sts = counter.attach(base.client("sts", endpoint_url=options.endpoint_url))
        try:
            targets = [AccountTarget(account_id=str(sts.get_caller_identity()["Account"]))]
        except (ClientError, BotoCoreError) as exc:
            errors.append(
                SourceError("(session)", f"cannot identify the account (sts:GetCallerIdentity): {exc}")
            )
            targets = []
    for target in targets:
        regions = target.regions or options.regions
        access = open_account(base, target, endpoint_url=options.endpoint_url, counter=counter)
        if access.session is None:
            for region in regions:
                scan.shards.append(f"{target.account_id}/{region}")
                scan.failed_shards.append(f"{target.account_id}/{region}")
            errors.append(SourceError(target.account_id, f"account not scanned: {access.error}"))
            continue
        for i, region in enumerate(regions):
            clients = CountingClients(
                counter,
                region=region,
                endpoint_url=options.endpoint_url,
                session=access.session,
                account_id=target.account_id,
            )
            for service in ("sagemaker", "s3", "s3control", "kms"):
                clients.client(service)  # created here, on the main thread
            reader = LiveReader(
                clients,
                on_error="unknown",
                point="scan",
                account=target.account_id,
                region=region,
                location=f"{target.account_id}/{region}",
            )
            shard = Shard(target.account_id, region, clients, reader)
            shards.append(shard)
            scan.shards.append(shard.label)
            if i == 0:
                bucket_shards.append(shard)

    kinds = [BY_TYPE[t] for t in options.kinds]
    since = datetime.now(UTC) - options.since if options.since else None
    failed: set[str] = set()

    def list_shard(shard: Shard) -> tuple[Shard, list[Listed], list[SourceError]]:
        found: list[Listed] = []
        problems: list[SourceError] = []
        for kind in kinds:
            if kind.service != "sagemaker":
                continue
            try:
                found.extend(list_sagemaker(shard.clients.client("sagemaker"), kind, since))
            except (ClientError, BotoCoreError) as exc:
                problems.append(SourceError(shard.label, f"{kind.type} not listed: {_why(exc)}"))
        if shard in bucket_shards:
            if S3_BUCKET in kinds:
                try:
                    buckets = list_buckets(shard.clients.client("s3"))
                except (ClientError, BotoCoreError) as exc:
                    problems.append(SourceError(shard.label, f"{S3_BUCKET.type} not listed: {_why(exc)}"))
                else:
                    regions = set(_regions_of(shard.account, shards))
                    found.extend(b for b in buckets if b.region is None or b.region in regions)
            if ACCOUNT_BLOCK_TYPE in options.kinds:
                found.append(Listed(BY_TYPE[ACCOUNT_BLOCK_TYPE], shard.account))
        return shard, found, problems

    work: list[tuple[Shard, Listed]] = []
    with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
        for shard, found, problems in pool.map(list_shard, shards):
            errors.extend(problems)
            if problems:
                failed.add(shard.label)
            work.extend((shard, item) for item in found)

        def read(job: tuple[Shard, Listed]) -> tuple[Shard, Listed, ResourceDocument | None, str | None]:
            shard, item = job
            try:
                document = _read(shard, item)
            except ResourceGone:
                return shard, item, None, None
            except (AwsError, ClientError, BotoCoreError, ValueError) as exc:  # read failed: not judged
                return shard, item, None, f"{item.kind.type} {item.name}: not judged: {_why(exc)}"
            return shard, item, document, None

        documents: list[tuple[Shard, ResourceDocument]] = []
        for shard, item, document, problem in pool.map(read, work):
            if problem is not None:
                errors.append(SourceError(shard.label, problem))
                failed.add(shard.label)
            elif document is None:
                scan.gone += 1
            else:
                documents.append((shard, document))
            if progress is not None:
                progress(shard.label, item.kind.type, 1)

    decisions = decider.decide_many([d for _, d in documents])
    scan.run = CheckRun(
        decisions=decisions,
        bundle_version=decider.bundle.version,
        bundle_digest=decider.bundle.digest,
        engine=f"{decider.evaluator.name} {decider.evaluator.version}",
        documents=[d for _, d in documents],
        files_checked=list(scan.shards),
        errors=errors,
        unjudged=decider.unjudged(errors, point="scan", source="live"),
        unknown_blocks=decider.config.unknown != "warn",
    )
    scan.shard_of = {i: shard for i, (shard, _) in enumerate(documents)}
    scan.failed_shards = sorted(set(scan.failed_shards) | failed)
    return scan


def _read(shard: Shard, item: Listed) -> ResourceDocument:
    return shard.reader.document(item.kind, item.name, region=item.region)


def _regions_of(account: str, shards: list[Shard]) -> list[str]:
    return [s.region for s in shards if s.account == account]


def _why(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return f"[{error_code(exc)}] {exc}"
    return str(exc)
