"""sagemaker-guardrails: one Rego policy bundle enforced at pre-deploy, admission, runtime and scan."""

__version__ = "0.1.0"
__all__ = ["__version__"]
