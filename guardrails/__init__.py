"""sagemaker-guardrails: one Rego policy bundle enforced at pre-deploy, admission, runtime and scan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guardrails.admission.boto3_hook import Boto3Hook

__version__ = "0.1.0"
__all__ = ["__version__", "install"]


def install(target: Any = None, **options: Any) -> Boto3Hook:
    """Install the boto3 hook: `guardrails.admission.boto3_hook.install` (see its options there).

    A function rather than a re-export so that `import guardrails` (every command, every Lambda) does not
    load boto3 and the hook."""
    from guardrails.admission.boto3_hook import install as install_hook

    return install_hook(target, **options)
