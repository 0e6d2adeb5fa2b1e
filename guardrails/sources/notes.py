"""What a source read but could not judge, so the report can say so instead of passing it silently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

NoteKind = Literal["not-evaluated", "not-followed", "unknown-content", "terraform-source", "suppression"]


@dataclass(frozen=True)
class InputNote:
    """One part of an input that no policy judged.

    - `not-evaluated`: a SageMaker or S3 resource of a type no control covers (UserProfile, App,
      CodeRepository, a lifecycle config...): it is in the input but nothing decides about it.
    - `not-followed`: a nested stack (or `AWS::Serverless::Application`) whose child template is not a
      local file (an S3/HTTPS URL, or a relative path that does not exist): the child is not checked here.
    - `unknown-content`: a macro (`Transform` of an unknown macro, `AWS::Include` from S3) may add or
      rewrite resources that cannot be seen before deploy. It counts like an unknown violation: under
      `unknown: deny` (the default) it fails the check.
    - `terraform-source`: a `.tf` file: Terraform sources are not read, their plan is (docs/terraform.md).
    - `suppression`: an inline suppression that does not apply (expired, unknown control, nothing to
      suppress); a warning, it does not change the verdict.
    """

    kind: NoteKind
    file: str
    logical_id: str | None
    type: str | None
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "logical_id": self.logical_id, "type": self.type, "reason": self.reason}
