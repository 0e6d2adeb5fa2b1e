package guardrails.rules.sagemaker_composition

# SageMaker composition controls: SM-17 (endpoints serve only compliant configs
# and models) and SM-19 (pipelines launch only compliant jobs). Both re-use the
# check functions of the network and encryption families and re-attribute their
# findings to the composite resource.

# Rule packages under guardrails.rules hold only their `deny` / `warn` rules:
# the entry point iterates these packages for every resource, and regorus pays
# for every function a package holds. The check functions are in
# guardrails.checks.sagemaker_composition (composition_checks.rego).

import data.guardrails.checks.sagemaker_composition as checks
import rego.v1

deny contains v if {
	input.resource.type == "AWS::SageMaker::Endpoint"
	some v in checks.endpoint_findings(data.guardrails.lib.props, data.guardrails.lib.related)
}

# Every job control a step fails is reported as SM-19 (default deny), including
# SM-08 / SM-09, which are warn-by-default on the jobs themselves: CONTROLS.md
# makes a pipeline fail SM-19 when any step fails a job control.
deny contains v if {
	input.resource.type == "AWS::SageMaker::Pipeline"
	some v in checks.pipeline_findings(data.guardrails.checks.sagemaker_composition.pipeline)
}
