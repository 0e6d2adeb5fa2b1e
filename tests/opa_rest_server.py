"""A small OPA REST API server on 127.0.0.1, on top of the real OPA Go engine (test support).

No `opa` binary is to be had from the package registries, so the tests run `opa-python-client` against
this: the endpoints that client and the guardrails use, with OPA's request and response shapes
(https://www.openpolicyagent.org/docs/rest-api): `GET /health`; `GET|PUT|DELETE /v1/policies/{id}`
(a PUT compiles the whole module set and refuses a module that does not compile, as OPA does);
`GET|POST|PUT|DELETE /v1/data/{path}` (POST with `{"input": ...}`; an undefined document answers
`{}`; an evaluation error answers 500 with OPA's error object); an OPA bundle archive loaded at start
(`--bundle`), whose roots the Data API then refuses to write; bearer-token authentication; an
artificial delay to play a slow server. Every evaluation is the OPA Go engine's.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import ssl
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from opa_bindings import OpaEngine, OpaError, OpaUndefinedError


class CompileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OpaState:
    """Modules (id -> text), the data document, and the compiled engine of both."""

    def __init__(self) -> None:
        self.modules: dict[str, str] = {}
        self.data: dict[str, Any] = {}
        self.bundle_roots: list[str] = []
        self.lock = threading.RLock()
        self._engine: OpaEngine | None = None

    def _build(self, modules: dict[str, str], data: dict[str, Any]) -> OpaEngine:
        engine = OpaEngine()
        try:
            for pid, text in modules.items():
                engine.add_policy(pid, text)
            if data:
                engine.add_data(data)
            engine.eval_query("x := 1")  # prepares the query: compiles every module
        except OpaError as exc:
            engine.close()
            raise CompileError(exc.message) from exc
        return engine

    def engine(self) -> OpaEngine:
        with self.lock:
            if self._engine is None:
                self._engine = self._build(self.modules, self.data)
            return self._engine

    def set_modules(self, modules: dict[str, str]) -> None:
        with self.lock:
            engine = self._build(modules, self.data)  # raises CompileError, leaving the state as it was
            self.modules, self._engine = modules, engine

    def set_data(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.data, self._engine = data, None

    def load_bundle(self, archive: bytes) -> None:
        modules: dict[str, str] = {}
        data: dict[str, Any] = {}
        manifest: dict[str, Any] = {}
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(archive)), mode="r:") as tar:
            for member in tar.getmembers():
                if not member.isfile():
                    continue
                name = member.name.lstrip("/")
                content = tar.extractfile(member).read()  # type: ignore[union-attr]
                if name == ".manifest":
                    manifest = json.loads(content)
                elif name.endswith(".rego"):
                    modules[name] = content.decode("utf-8")
                elif name == "data.json" or name.endswith("/data.json"):
                    segments = [s for s in name.rsplit("/", 1)[0].split("/") if s] if "/" in name else []
                    node = data
                    for segment in segments:
                        node = node.setdefault(segment, {})
                    _merge(node, json.loads(content))
        with self.lock:
            self.bundle_roots = list(manifest.get("roots", [""]))
            self.set_data(data)
            self.set_modules(modules)


def _put(tree: dict[str, Any], segments: list[str], value: Any) -> None:
    node = tree
    for segment in segments[:-1]:
        node = node.setdefault(segment, {})
    if segments:
        node[segments[-1]] = value
    else:
        tree.clear()
        tree.update(value)


def _merge(into: dict[str, Any], value: dict[str, Any]) -> None:
    """Deep-merge a bundle's data file into the data document (as OPA merges a bundle's data files)."""
    for key, item in value.items():
        if isinstance(item, dict) and isinstance(into.get(key), dict):
            _merge(into[key], item)
        else:
            into[key] = item


def _delete(tree: dict[str, Any], segments: list[str]) -> bool:
    node: Any = tree
    for segment in segments[:-1]:
        if not isinstance(node, dict) or segment not in node:
            return False
        node = node[segment]
    if not isinstance(node, dict) or segments[-1] not in node:
        return False
    del node[segments[-1]]
    return True


class _Handler(BaseHTTPRequestHandler):
    server: OpaRestServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (quiet in tests)
        pass

    def _send(self, status: int, body: Any = None) -> None:
        raw = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _error(
        self, status: int, code: str, message: str, errors: list[dict[str, Any]] | None = None
    ) -> None:
        body: dict[str, Any] = {"code": code, "message": message}
        if errors:
            body["errors"] = errors
        self._send(status, body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _route(self, method: str) -> None:
        srv = self.server
        srv.requests.append((method, self.path))
        if srv.delay_seconds:
            time.sleep(srv.delay_seconds)
        body = self._body()
        if srv.token and self.headers.get("Authorization") != f"Bearer {srv.token}":
            self._error(401, "unauthorized", "the request is not authorized")
            return
        path = unquote(urlsplit(self.path).path)
        if path == "/health" and method == "GET":
            self._send(200, {})
        elif path.startswith("/v1/policies"):
            self._policies(method, path.removeprefix("/v1/policies").strip("/"), body)
        elif path == "/v1/data" or path.startswith("/v1/data/"):
            segments = [s for s in path.removeprefix("/v1/data").split("/") if s]
            self._data(method, segments, body)
        else:
            self._error(404, "resource_not_found", f"{method} {path} is not an endpoint of this server")

    def _policies(self, method: str, pid: str, body: bytes) -> None:
        state = self.server.state
        with state.lock:
            if method == "GET" and not pid:
                self._send(200, {"result": [{"id": i, "raw": t} for i, t in sorted(state.modules.items())]})
            elif method == "GET":
                if pid not in state.modules:
                    self._error(404, "resource_not_found", f"storage_not_found_error: policy id {pid!r}")
                else:
                    self._send(200, {"result": {"id": pid, "raw": state.modules[pid]}})
            elif method == "PUT" and pid:
                if state.bundle_roots:
                    self._error(400, "invalid_parameter", "policies are owned by the bundle")
                    return
                try:
                    state.set_modules({**state.modules, pid: body.decode("utf-8")})
                except CompileError as exc:
                    errors = [{"code": "rego_compile_error", "message": exc.message}]
                    self._error(
                        400, "invalid_parameter", "error(s) occurred while compiling module(s)", errors
                    )
                    return
                self._send(200, {})
            elif method == "DELETE" and pid:
                if pid not in state.modules:
                    self._error(404, "resource_not_found", f"storage_not_found_error: policy id {pid!r}")
                    return
                remaining = {i: t for i, t in state.modules.items() if i != pid}
                try:
                    state.set_modules(remaining)
                except CompileError as exc:
                    self._error(400, "invalid_parameter", exc.message)
                    return
                self._send(200, {})
            else:
                self._error(405, "invalid_parameter", f"{method} not allowed here")

    def _data(self, method: str, segments: list[str], body: bytes) -> None:
        state = self.server.state
        if method in ("PUT", "DELETE"):
            if state.bundle_roots and any(
                segments[: len(r.split("/"))] == r.split("/") or r == "" for r in state.bundle_roots
            ):
                self._error(400, "invalid_parameter", f"path /{'/'.join(segments)} is owned by bundle")
                return
            with state.lock:
                data = copy.deepcopy(state.data)
                if method == "PUT":
                    _put(data, segments, json.loads(body or b"null"))
                elif not _delete(data, segments):
                    self._error(404, "resource_not_found", "storage_not_found_error")
                    return
                state.set_data(data)
            self._send(204)
            return
        if method not in ("GET", "POST"):
            self._error(405, "invalid_parameter", f"{method} not allowed here")
            return
        payload = json.loads(body) if body else {}
        query_input = payload.get("input") if isinstance(payload, dict) else None
        try:
            engine = state.engine()
            result = engine.eval_document(".".join(segments), query_input)
        except OpaUndefinedError:
            self._send(200, {})
            return
        except (OpaError, CompileError) as exc:
            self._error(500, "internal_error", exc.message)
            return
        self.server.evaluations += 1
        self._send(200, {"result": result})

    def do_GET(self) -> None:  # noqa: N802
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._route("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._route("DELETE")


class OpaRestServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, *, token: str | None = None, bundle: bytes | None = None, tls: ssl.SSLContext | None = None
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.tls = tls
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.state = OpaState()
        self.token = token
        self.delay_seconds = 0.0
        self.requests: list[tuple[str, str]] = []
        self.evaluations = 0
        if bundle is not None:
            self.state.load_bundle(bundle)
        self._thread = threading.Thread(target=self.serve_forever, name="opa-rest-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    def start(self) -> OpaRestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
