"""Backend `opa-server`: decisions by an OPA server you operate, through `opa-python-client`.

Documents go to the server in batches, one `POST /v1/data/guardrails/batch` per `batch_size` documents
(the batch entry point of guardrails/engine/batch.rego evaluates `data.guardrails.main.findings` for each
document of `input.documents`), so a 1000-resource template is a couple of round trips, not 1000. The
same answer carries `revision`, the digest of the bundle the server holds: every answer is checked against
the local bundle before any finding is used, so a server with another (or a half-pushed) bundle can
never decide. A server that is down, slow or holds another bundle raises EngineUnavailableError: an
infrastructure failure (`check` exit 2, hooks fail closed, the runtime Lambda raises so EventBridge
retries), never a per-document verdict.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any
from urllib.parse import urlsplit

from guardrails.engine.base import (
    EngineError,
    EngineUnavailableError,
    Finding,
    parse_findings,
)
from guardrails.engine.bundle import BundleError, PolicyBundle
from guardrails.engine.opa_settings import OpaServerSettings
from guardrails.engine.policy_tests import PolicyTestResult

DISTRIBUTION = "opa-python-client"
BATCH_PACKAGE = "guardrails.batch"
"""Its `findings` rule: findings per document of input.documents; its `revision`: the bundle digest."""
BUNDLE_INFO_PATH = "guardrails/bundle_info"
"""Data document the bundle (and `policy push`) carries: {"revision": digest, "version": ...}."""


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def open_client(settings: OpaServerSettings) -> Any:
    """An `opa_client.OpaClient` for `settings.url` (token from the environment, CA bundle, timeout,
    retries). Imported here so the regorus path never pays for it."""
    if not settings.url:
        raise BundleError("engine opa-server needs the server's URL (--opa-url or engine.opa.url)")
    try:
        from opa_client import OpaClient
    except ImportError as exc:
        raise BundleError(
            f"engine opa-server needs {DISTRIBUTION} ({exc}): pip install {DISTRIBUTION}"
        ) from exc
    parts = urlsplit(settings.url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    token = os.environ.get(settings.token_env) or None
    # `ssl` is the client's TLS switch and becomes requests' `verify`: a CA bundle path verifies the server
    # against it, True against the system's CAs.
    ssl: bool | str = (str(settings.ca_bundle) if settings.ca_bundle else True) if https else False
    client = OpaClient(
        host=parts.hostname or "",
        port=port,
        ssl=ssl,
        token=token,
        retries=settings.retries,
        timeout=settings.timeout_seconds,
    )
    if https and settings.ca_bundle:
        _pin_ca_bundle(client, str(settings.ca_bundle))
    return client


def _pin_ca_bundle(client: Any, ca_bundle: str) -> None:
    """Make the configured CA bundle win over REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE.

    requests lets those environment variables replace a session's `verify` on every request, so on a
    machine that sets them the configured bundle would be silently ignored. An adapter that passes the
    bundle itself keeps the client's retry policy and the environment's proxies. The client has no public
    hook for its session; `_session` is where it keeps it.
    """
    from requests import PreparedRequest, Response
    from requests.adapters import HTTPAdapter

    session = client._session
    retries = session.get_adapter("https://").max_retries

    class PinnedCaAdapter(HTTPAdapter):
        def send(
            self,
            request: PreparedRequest,
            stream: bool = False,
            timeout: Any = None,
            verify: Any = True,
            cert: Any = None,
            proxies: dict[str, str] | None = None,
        ) -> Response:
            return super().send(
                request, stream=stream, timeout=timeout, verify=ca_bundle, cert=cert, proxies=proxies
            )

    session.mount("https://", PinnedCaAdapter(max_retries=retries))


def describe_failure(exc: BaseException) -> str:
    """A one-line cause of a failed request (connection refused, timeout, HTTP status and OPA's message)."""
    import requests

    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS handshake failed (is engine.opa.ca_bundle the CA of its certificate?): {exc}"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        try:
            body = exc.response.json()
            detail = body.get("message") or body
        except ValueError:
            detail = exc.response.text[:300]
        return f"HTTP {exc.response.status_code}: {detail}"
    message = getattr(exc, "message", None) or str(exc)
    return f"{type(exc).__name__}: {message}"


class OpaServerEvaluator:
    """Evaluator on a remote OPA server (REST Data API) that holds this bundle."""

    name = "opa-server"

    def __init__(self, bundle: PolicyBundle, settings: OpaServerSettings) -> None:
        self.bundle = bundle
        self.settings = settings
        self.url = settings.url
        try:
            self.version = package_version(DISTRIBUTION)
        except PackageNotFoundError:
            self.version = "unknown"
        self._client = open_client(settings)
        self.round_trips = 0
        """Evaluation requests sent so far (for the benchmark and the batching tests)."""

    def close(self) -> None:
        self._client.close_connection()

    def _query(self, documents: list[dict[str, Any]]) -> dict[str, Any]:
        """POST the batch package with these documents; the package document (findings and revision)."""
        import requests

        self.round_trips += 1
        try:
            response = self._client.query_rule({"documents": documents}, BATCH_PACKAGE)
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status == 500 and len(documents) == 1:  # OPA's answer to an evaluation error
                raise EngineError(f"OPA server: {describe_failure(exc)}") from exc
            if status == 500:
                raise _BatchFailed from exc
            raise self._unavailable(describe_failure(exc)) from exc
        except requests.RequestException as exc:
            raise self._unavailable(describe_failure(exc)) from exc
        result = response.get("result") if isinstance(response, dict) else None
        if not isinstance(result, dict):
            raise self._unavailable(
                f"it has no {BATCH_PACKAGE} package: load the guardrails bundle into it "
                "(guardrails policy push, or guardrails policy bundle build)"
            )
        revision = result.get("revision")
        if revision != self.bundle.digest:
            held = f"bundle revision {revision}" if revision else "no guardrails bundle revision"
            raise self._unavailable(
                f"it holds {held}, not this bundle ({self.bundle.digest}): load this bundle into it "
                "(guardrails policy push, or guardrails policy bundle build)"
            )
        return result

    def _unavailable(self, why: str) -> EngineUnavailableError:
        return EngineUnavailableError(f"OPA server {self.url}: {why}")

    def evaluate(self, document: dict[str, Any]) -> list[Finding]:
        [result] = self.evaluate_many([document])
        if isinstance(result, EngineError):
            raise result
        return result

    def evaluate_many(self, documents: Iterable[dict[str, Any]]) -> list[list[Finding] | EngineError]:
        results: list[list[Finding] | EngineError] = []
        for chunk in _chunks(list(documents), self.settings.batch_size):
            try:
                answer = self._query(chunk)
            except _BatchFailed:
                # One failing document fails the whole query: ask for this chunk's documents one by one
                # so only the failing ones carry the error (costs round trips only in this rare case).
                results.extend(self._one_by_one(chunk))
                continue
            results.extend(self._findings(answer, len(chunk)))
        return results

    def _one_by_one(self, documents: list[dict[str, Any]]) -> list[list[Finding] | EngineError]:
        results: list[list[Finding] | EngineError] = []
        for document in documents:
            try:
                results.extend(self._findings(self._query([document]), 1))
            except EngineError as exc:
                results.append(exc)
        return results

    def _findings(self, answer: dict[str, Any], expected: int) -> list[list[Finding] | EngineError]:
        per_document = answer.get("findings")
        if not isinstance(per_document, list) or len(per_document) != expected:
            raise self._unavailable(
                f"the batch answer has {len(per_document) if isinstance(per_document, list) else 'no'} "
                f"results for {expected} documents (entry point data.guardrails.main.findings undefined?)"
            )
        results: list[list[Finding] | EngineError] = []
        for raw in per_document:
            try:
                results.append(parse_findings(raw))
            except EngineError as exc:
                results.append(exc)
        return results

    def run_tests(self) -> list[PolicyTestResult]:
        raise BundleError("the Rego unit tests run in process (regorus, opa-go), not on an OPA server")


class _BatchFailed(EngineError):
    """A batched query failed with an evaluation error: retry its documents one by one."""
