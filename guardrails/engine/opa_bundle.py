"""The policy bundle as OPA consumes it: a bundle archive (`policy bundle build`) or pushed modules.

Both carry the same content: the bundle's modules (not its tests) plus the engine's batch entry point
(guardrails/engine/batch.rego), the bundle data (`policies/data/*.json`, e.g. data.guardrails.facts),
and the data document `data.guardrails.bundle_info` = {"revision": bundle digest, "version": catalog
version, "catalog": [...], "data_paths": [the Data API paths `policy push` writes]}. The `opa-server`
backend checks that revision on every answer. The archive's `.manifest` has the same revision and the
roots the modules and data live under.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import re
import tarfile
from dataclasses import dataclass, field
from typing import Any

from guardrails.engine.bundle import BundleError, PolicyBundle, engine_modules, rego_package
from guardrails.engine.opa_server import BUNDLE_INFO_PATH, describe_failure
from guardrails.errors import EngineError
from guardrails.json_data import json_data

POLICY_ID_PREFIX = "guardrails/"
"""Every module `policy push` uploads is `PUT /v1/policies/guardrails/<module path>`."""
_DATA_REF_RE = re.compile(r"\bdata((?:\.[A-Za-z_]\w*)+)")


def opa_modules(bundle: PolicyBundle) -> dict[str, str]:
    """Module path -> Rego text of what OPA loads: the bundle's policies and the engine's batch module."""
    return {**bundle.modules, **engine_modules()}


def bundle_info(bundle: PolicyBundle) -> dict[str, Any]:
    return {
        "revision": bundle.digest,
        "version": bundle.version,
        "catalog": [json_data(control, exclude_none=False) for control in bundle.catalog.controls],
        # What `policy push` wrote: the next push deletes the paths its bundle no longer has.
        "data_paths": sorted(data_documents(bundle)),
    }


def opa_data(bundle: PolicyBundle) -> dict[str, Any]:
    """The whole data document the server holds: the bundle data plus `guardrails.bundle_info`."""
    data = copy.deepcopy(bundle.data)
    node = data
    *parents, leaf = BUNDLE_INFO_PATH.split("/")
    for key in parents:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise BundleError(f"bundle data {'.'.join(parents)} must be an object")
    if leaf in node:
        raise BundleError(f"bundle data {'.'.join([*parents, leaf])} is reserved for the bundle revision")
    node[leaf] = bundle_info(bundle)
    return data


def data_documents(bundle: PolicyBundle) -> dict[str, Any]:
    """Data API path -> value that `policy push` writes: each member of each top-level object of the
    bundle data (`guardrails/facts`), or a top-level value itself; bundle_info is written apart, last."""
    documents: dict[str, Any] = {}
    for key, value in bundle.data.items():
        if isinstance(value, dict) and value:
            documents.update({f"{key}/{sub}": item for sub, item in value.items()})
        else:
            documents[key] = value
    return documents


def bundle_roots(modules: dict[str, str], data: dict[str, Any]) -> list[str]:
    """The manifest roots: the first segment of every package and every top-level data key."""
    roots = set(data)
    for key, text in modules.items():
        package = rego_package(text)
        if package is None:
            raise BundleError(f"{key}: no package declaration")
        roots.add(package.split(".", 1)[0])
    return sorted(roots)


def build_bundle_archive(bundle: PolicyBundle) -> bytes:
    """A gzipped OPA bundle tarball, byte-identical for the same policies (fixed mtimes and order)."""
    modules = opa_modules(bundle)
    data = opa_data(bundle)
    manifest = {
        "revision": bundle.digest,
        "roots": bundle_roots(modules, data),
        "rego_version": 1,
        "metadata": {"name": "sagemaker-guardrails", "catalog_version": bundle.version},
    }
    files: dict[str, bytes] = {".manifest": json.dumps(manifest, indent=2, sort_keys=True).encode()}
    files.update({path: text.encode("utf-8") for path, text in modules.items()})
    files["data.json"] = json.dumps(data, indent=2, sort_keys=True).encode()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(files):
            info = tarfile.TarInfo(f"/{path}")
            info.size, info.mode, info.mtime = len(files[path]), 0o644, 0
            tar.addfile(info, io.BytesIO(files[path]))
    return gzip.compress(raw.getvalue(), mtime=0)


def push_order(modules: dict[str, str]) -> list[str]:
    """Module paths, libraries first: a module comes after every module whose package it references, so
    the server can compile each one as it arrives (cycles, if any, keep path order)."""
    packages = {key: rego_package(text) or "" for key, text in modules.items()}
    needs: dict[str, set[str]] = {}
    for key, text in modules.items():
        refs = {m.group(1)[1:] for m in _DATA_REF_RE.finditer(text)}
        needs[key] = {
            other
            for other, package in packages.items()
            if other != key
            and package != packages[key]
            and any(
                ref == package or ref.startswith(package + ".") or package.startswith(ref + ".")
                for ref in refs
            )
        }
    order: list[str] = []
    pending = sorted(modules)
    while pending:
        ready = [key for key in pending if needs[key] <= set(order)] or pending[:1]
        order.append(ready[0])
        pending.remove(ready[0])
    return order


@dataclass
class PushReport:
    revision: str
    uploaded: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.uploaded or self.removed)


class PushError(EngineError):
    """The server refused or could not be reached; the message names the module and the server's answer."""


def push_bundle(client: Any, bundle: PolicyBundle) -> PushReport:
    """Make the server hold exactly this bundle's modules and bundle_info; nothing is written when it
    already does. The revision is withdrawn first and written last, so a push that stops half-way leaves a
    server the opa-server backend refuses, never a mix that passes the revision check."""
    modules = opa_modules(bundle)
    wanted = {POLICY_ID_PREFIX + key: text for key, text in modules.items()}
    report = PushReport(revision=bundle.digest)
    try:
        current = _current_modules(client)
        held_info = _held_bundle_info(client)
        held = held_info.get("revision")
        stale = sorted(pid for pid in current if pid.startswith(POLICY_ID_PREFIX) and pid not in wanted)
        changed = [pid for pid in wanted if current.get(pid) != wanted[pid]]
        documents = data_documents(bundle)
        changed_data = [p for p, value in documents.items() if _held_data(client, p) != value]
        stale_data = _stale_data_paths(client, held_info, documents)
        if held == bundle.digest and not changed and not stale and not changed_data and not stale_data:
            return report
        client.update_or_create_data({"revision": f"incomplete push of {bundle.digest}"}, BUNDLE_INFO_PATH)
        for path in changed_data:  # data first: the modules may read it as they compile
            _put_data(client, path, documents[path])
            report.uploaded.append(f"data/{path}")
        for key in push_order(modules):
            pid = POLICY_ID_PREFIX + key
            if pid in changed:
                _put_module(client, pid, wanted[pid])
                report.uploaded.append(pid)
        for pid in reversed(stale):
            client.delete_policy(pid)
            report.removed.append(pid)
        for path in stale_data:  # after the modules: none of the held ones reads it any more
            client.delete_data(path)
            report.removed.append(f"data/{path}")
        client.update_or_create_data(bundle_info(bundle), BUNDLE_INFO_PATH)
    except PushError:
        raise
    except Exception as exc:  # requests / opa_client errors: name the server's answer
        raise PushError(describe_failure(exc)) from exc
    return report


def _put_module(client: Any, pid: str, text: str) -> None:
    try:
        client.update_policy_from_string(text, pid, rego_compat=False)
    except Exception as exc:
        errors = "; ".join(e.get("message", "") for e in getattr(exc, "errors", []) if isinstance(e, dict))
        raise PushError(f"{pid}: the server refused the module: {errors or describe_failure(exc)}") from exc


def _put_data(client: Any, path: str, value: Any) -> None:
    # The client's update_or_create_data takes objects only; a top-level non-object value goes the same
    # way with the Data API's PUT.
    if isinstance(value, dict):
        client.update_or_create_data(value, path)
        return
    response = client._session.put(f"{client.root_url}/data/{path}", json=value, timeout=client.timeout)
    response.raise_for_status()


def _held_data(client: Any, path: str) -> Any:
    from opa_client.errors import PolicyNotFoundError

    try:
        return client.get_data(path).get("result")
    except PolicyNotFoundError:
        return None


def _current_modules(client: Any) -> dict[str, str]:
    """Policy id -> raw text of the guardrails modules the server holds (GET /v1/policies[/<id>])."""
    ids = [pid for pid in client.get_policies_list() if pid.startswith(POLICY_ID_PREFIX)]
    return {pid: client.get_policy(pid).get("result", {}).get("raw", "") for pid in ids}


def _held_bundle_info(client: Any) -> dict[str, Any]:
    """The bundle_info the server holds ({} when none)."""
    value = _held_data(client, BUNDLE_INFO_PATH)
    return value if isinstance(value, dict) else {}


def _stale_data_paths(client: Any, held_info: dict[str, Any], documents: dict[str, Any]) -> list[str]:
    """Data paths an earlier push wrote (its bundle_info lists them) that this bundle no longer has and
    the server still holds. Only listed paths are deleted: data others wrote is never touched."""
    previous = held_info.get("data_paths")
    if not isinstance(previous, list):
        return []
    dropped = sorted({p for p in previous if isinstance(p, str) and p and p not in documents})
    return [p for p in dropped if _held_data(client, p) is not None]
