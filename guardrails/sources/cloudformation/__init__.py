"""CloudFormation / SAM / CDK source: templates -> canonical ResourceDocuments (see DESIGN.md).

Pure Python, no AWS calls. Parameters (defaults, or `--parameter` overrides; pseudo parameters such as
`AWS::Region` may be given the same way), conditions and intrinsic functions are resolved where the
template allows it. Everything else is *unknown-but-present*: the value in `properties` is the
placeholder `guardrails.documents.unknown_value(reason)` (e.g. `"<unknown: Ref SubnetParam>"`,
`"<unknown: Fn::Sub (Ref AWS::AccountId)>"`, `"<unknown: Fn::If IsProd>"`) and its dotted path (list
indexes as numbers, e.g. `VpcConfig.Subnets.0`) is listed in `context.unknown`. A value that may be
*absent* (`Fn::If` on an unknown condition with `AWS::NoValue` or a missing key in one branch) is left
out of `properties` and its path listed in `context.unknown`: absent + listed means "maybe absent", and
presence checks report it unknown (policies/lib/core.rego `maybe_absent`).

`Fn::ForEach` loops (AWS::LanguageExtensions) are expanded; macros (`Transform` of an unknown macro,
`Fn::Transform`/`AWS::Include`) make what they touch unknown; nested stacks with a local child template
are followed (nested_stacks.py). `template_documents` also returns notes: uncovered SageMaker/S3 types
("not evaluated"), nested stacks not followed, macro content ("unknown content").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from guardrails.documents import ResourceDocument
from guardrails.sources.cloudformation.resource_documents import (
    TemplateResult,
    document_from_resource_properties,
    documents_from_template,
    looks_like_cloudformation,
    template_documents,
)
from guardrails.sources.cloudformation.template_text import (
    parse_structured_text,
    parse_template_text,
    paused_gc,
    read_template_file,
)
from guardrails.sources.errors import SourceError

__all__ = [
    "SourceError",
    "TemplateResult",
    "document_from_resource_properties",
    "documents_from_template",
    "load_cloudformation",
    "looks_like_cloudformation",
    "parse_structured_text",
    "parse_template_text",
    "template_documents",
]


def load_cloudformation(path: Path, parameters: Mapping[str, str] | None = None) -> list[ResourceDocument]:
    """Read, parse and resolve one template file (JSON or YAML, any extension); SourceError if invalid."""
    file = str(path)
    with paused_gc():
        text = read_template_file(Path(path))
        template, lines = parse_template_text(text, file)
        result = template_documents(
            template,
            file=file,
            parameters=parameters,
            lines=lines,
            base_dir=Path(path).parent,
            includes="AWS::Include" in text,
        )
        return result.documents
