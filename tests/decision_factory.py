"""Decisions made by hand for the tests that need one not made by the engine (reports, responses, audit
records): the provenance every decision carries (point, source, digests, bundle, engine) is filled in here
once, and each test names only what it is about."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from guardrails.decision import Decision, EngineInfo, ResourceRef, Violation

PROVENANCE: dict[str, Any] = {
    "point": "pre-deploy",
    "source": "cloudformation",
    "input_digest": "sha256:" + "a" * 64,
    "bundle_digest": "sha256:" + "b" * 64,
    "bundle_version": "1",
    "engine": EngineInfo(name="regorus", version="0"),
}


def hand_made_decision(
    resource: ResourceRef, violations: Iterable[Violation] = (), verdict: str = "deny", **fields: Any
) -> Decision:
    """A Decision of `resource`, with PROVENANCE unless `fields` says otherwise (point, error, ...)."""
    return Decision(resource=resource, violations=list(violations), verdict=verdict, **(PROVENANCE | fields))
