"""Count every AWS API call a scan makes (botocore `before-call` events), per service and operation."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class ApiCallCounter:
    """Thread-safe call counts; `attach(client)` registers on one botocore client's events."""

    def __init__(self) -> None:
        self._calls: Counter[str] = Counter()
        self._attempts = 0
        self._lock = threading.Lock()

    def attach(self, client: Any) -> Any:
        client.meta.events.register("before-call.*.*", self._on_call)
        client.meta.events.register("before-send.*.*", self._on_send)
        return client

    def _on_call(self, model: Any, **_: Any) -> None:
        with self._lock:
            self._calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def _on_send(self, **_: Any) -> None:
        with self._lock:
            self._attempts += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._calls.values())

    @property
    def attempts(self) -> int:
        """HTTP requests sent, retries included (>= total)."""
        with self._lock:
            return self._attempts

    def by_operation(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._calls.items()))
