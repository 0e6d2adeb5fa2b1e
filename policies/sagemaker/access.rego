package guardrails.rules.sagemaker_access

# SageMaker access controls: SM-20 (deny by default) and SM-18 (warn by default).

# Rule packages under guardrails.rules hold only their `deny` / `warn` rules:
# the entry point iterates these packages for every resource, and regorus pays
# for every function a package holds. The check functions are in
# guardrails.checks.sagemaker_access (access_checks.rego).

import data.guardrails.checks.sagemaker_access as checks
import rego.v1

deny contains v if {
	input.resource.type == "AWS::SageMaker::NotebookInstance"
	some v in checks.notebook_imds(data.guardrails.lib.props, data.guardrails.lib.unknown_paths)
}

warn contains v if {
	input.resource.type == "AWS::SageMaker::NotebookInstance"
	some v in checks.notebook_root_access(data.guardrails.lib.props, data.guardrails.lib.unknown_paths)
}
