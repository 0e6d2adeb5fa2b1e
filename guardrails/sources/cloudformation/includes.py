"""`AWS::Include` of a local snippet (`Location: ./snippet.yaml`, as `aws cloudformation package` takes it).

A snippet next to the template is read (same input cap and parser) and stands where the transform is: as a
whole value, merged into the mapping that holds the `Fn::Transform` key, or merged into `Resources`.
An S3/HTTPS location, or a path that does not exist, stays unknown (see resource_documents.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guardrails.sources.cloudformation.resolved_values import IntrinsicError

INCLUDE = "AWS::Include"
_URL_SCHEMES = ("http://", "https://", "s3://")
MAX_INCLUDE_DEPTH = 10


def include_location(transform: Any) -> str | None:
    """The `Location` of an `AWS::Include` transform argument, when it is a literal string."""
    if not isinstance(transform, dict) or transform.get("Name") != INCLUDE:
        return None
    parameters = transform.get("Parameters")
    location = parameters.get("Location") if isinstance(parameters, dict) else None
    return location if isinstance(location, str) and location else None


class LocalIncludes:
    """Reads the local snippets of one template (each once), refusing include cycles."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self._loaded: dict[Path, Any] = {}
        self._loading: list[Path] = []

    def snippet(self, transform: Any) -> tuple[bool, Any]:
        """(True, the snippet's content) for a local `AWS::Include`, else (False, None)."""
        location = include_location(transform)
        if location is None or location.lower().startswith(_URL_SCHEMES):
            return False, None
        path = (self.base_dir / location).resolve()
        if path in self._loaded:
            return True, self._loaded[path]
        if not path.is_file():
            return False, None
        if path in self._loading or len(self._loading) >= MAX_INCLUDE_DEPTH:
            chain = " -> ".join(p.name for p in (*self._loading, path))
            raise IntrinsicError(f"AWS::Include snippets include each other in a cycle ({chain})")
        from guardrails.sources.cloudformation.template_text import parse_structured_text, read_template_file
        from guardrails.sources.input_files import display_name

        self._loading.append(path)
        try:
            content, _ = parse_structured_text(read_template_file(path), display_name(path))
            content = self.expand(content)
        finally:
            self._loading.pop()
        self._loaded[path] = content
        return True, content

    def expand(self, value: Any) -> Any:
        """`value` with every local include replaced by its snippet (a new structure where it changed)."""
        if isinstance(value, list):
            return [self.expand(item) for item in value]
        if not isinstance(value, dict):
            return value
        if "Fn::Transform" in value:
            found, content = self.snippet(value["Fn::Transform"])
            if found:
                rest = {k: v for k, v in value.items() if k != "Fn::Transform"}
                if not rest:
                    return content
                if not isinstance(content, dict):
                    raise IntrinsicError("an AWS::Include snippet merged into a mapping must be a mapping")
                clash = sorted(set(rest) & set(content))
                if clash:
                    names = ", ".join(clash)
                    raise IntrinsicError(f"AWS::Include snippet sets {names} already in the mapping")
                value = {**rest, **content}
        return {key: self.expand(item) for key, item in value.items()}
