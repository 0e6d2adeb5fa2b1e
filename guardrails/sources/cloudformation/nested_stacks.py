"""Nested stacks whose child template is a local file (`aws cloudformation package` input) are followed.

`AWS::CloudFormation::Stack` `TemplateURL` (and `AWS::Serverless::Application` `Location`) given as a
relative path is read relative to the parent template's folder; the parent's `Parameters` property is
passed to the child (a value the parent cannot know stays unknown in the child; a parameter the parent
does not pass takes the child's default). A child template that names one of its ancestors is an error
(such a stack could never be created). A URL (S3 / HTTPS) or a path that does not exist is "not followed".
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guardrails.documents import EnforcementPoint
from guardrails.resource_kinds import STACK_TYPE
from guardrails.sources.cloudformation.resolved_values import Unknown, cfn_string
from guardrails.sources.errors import SourceError
from guardrails.sources.input_files import display_name

if TYPE_CHECKING:
    from guardrails.sources.cloudformation.resource_documents import TemplateResult

NESTED_STACK_TYPES: dict[str, str] = {
    STACK_TYPE: "TemplateURL",
    "AWS::CloudFormation::StackSet": "TemplateURL",  # deployed to other accounts; `package` uploads it too
    "AWS::Serverless::Application": "Location",
}
"""Nested stack resource type -> the property naming the child template."""
MAX_NESTING = 10
"""Nested stacks deeper than this are an error (real stacks nest two or three levels)."""
INHERITED_PSEUDO = ("AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix")
"""Pseudo parameters a child stack shares with its parent (not its name or id)."""
_URL_SCHEMES = ("http://", "https://", "s3://")


class NestedStacks:
    """Follows the nested stacks of one template file."""

    def __init__(self, file: str, base_dir: Path, chain: tuple[Path, ...], point: EnforcementPoint) -> None:
        self.file = file
        self.base_dir = base_dir
        self.chain = chain or (Path(file).resolve(),)
        self.point = point

    def follow(
        self, logical_id: str, resource_type: str, properties: Any, pseudo: Mapping[str, Any]
    ) -> tuple[TemplateResult | None, str]:
        """(the child's documents and notes, "") or (None, why it is not followed)."""
        field = NESTED_STACK_TYPES[resource_type]
        location = properties.get(field) if isinstance(properties, dict) else None
        if location is None and isinstance(properties, dict) and "TemplateBody" in properties:
            return None, "nested stack: the child template is inline (TemplateBody); check it on its own"
        if isinstance(location, Unknown) or not isinstance(location, str) or not location:
            return None, f"nested stack: {field} is not knowable before deploy"
        if location.lower().startswith(_URL_SCHEMES):
            return None, f"nested stack: the child template {location} is not a local file"
        path = self.base_dir / location
        if not path.is_file():
            return None, f"nested stack: the child template {location} is not a file next to this template"
        real = path.resolve()
        if real in self.chain:
            cycle = " -> ".join(p.name for p in (*self.chain, real))
            raise SourceError(
                self.file, f"nested stack {logical_id}: the templates nest in a cycle ({cycle})"
            )
        if len(self.chain) >= MAX_NESTING:
            raise SourceError(
                self.file, f"nested stack {logical_id}: stacks nest deeper than {MAX_NESTING} levels"
            )
        from guardrails.sources.cloudformation.resource_documents import template_documents
        from guardrails.sources.cloudformation.template_text import parse_template_text, read_template_file

        name = display_name(path)
        text = read_template_file(path)
        template, lines = parse_template_text(text, name)
        passed = properties.get("Parameters") if isinstance(properties, dict) else None
        parameters = _child_parameters(template, passed, logical_id)
        for pseudo_name in INHERITED_PSEUDO:
            if isinstance(pseudo.get(pseudo_name), str):
                parameters.setdefault(pseudo_name, pseudo[pseudo_name])
        result = template_documents(
            template,
            file=name,
            parameters=parameters,
            lines=lines,
            point=self.point,
            base_dir=path.parent,
            chain=(*self.chain, real),
            includes="AWS::Include" in text,
        )
        return result, ""


def _child_parameters(template: dict[str, Any], passed: Any, logical_id: str) -> dict[str, Any]:
    """The parent's `Parameters` property as child parameter values (strings, or Unknown)."""
    declared = template.get("Parameters")
    names = list(declared) if isinstance(declared, dict) else []
    if passed is None:
        return {}
    if isinstance(passed, list):  # StackSet form: [{ParameterKey, ParameterValue}]
        pairs = [p for p in passed if isinstance(p, dict) and isinstance(p.get("ParameterKey"), str)]
        passed = {p["ParameterKey"]: p.get("ParameterValue", "") for p in pairs}
    if not isinstance(passed, dict):
        reason = passed.reason if isinstance(passed, Unknown) else "not a mapping"
        return {name: Unknown(f"parameter passed by {logical_id} ({reason})") for name in names}
    values: dict[str, Any] = {}
    for name, value in passed.items():
        if isinstance(value, list):
            texts = [cfn_string(item) for item in value]
            unknown = next((t for t in texts if isinstance(t, Unknown)), None)
            values[name] = unknown if unknown is not None else ",".join(texts)  # type: ignore[arg-type]
        else:
            values[name] = cfn_string(value)
        if isinstance(values[name], Unknown):
            values[name] = Unknown(f"parameter {name} passed by {logical_id} ({values[name].reason})")
    return values
