package guardrails.rules.sagemaker_encryption

# SageMaker encryption at rest with a customer-managed KMS key: SM-10 .. SM-16
# (all deny by default).

# Rule packages under guardrails.rules hold only their `deny` / `warn` rules:
# the entry point iterates these packages for every resource, and regorus pays
# for every function a package holds. The check functions are in
# guardrails.checks.sagemaker_encryption (encryption_checks.rego).

import data.guardrails.checks.sagemaker_encryption as checks
import rego.v1

deny contains v if {
	some v in checks.deny_checks(input.resource.type, data.guardrails.lib.props, data.guardrails.lib.unknown_paths)
}
