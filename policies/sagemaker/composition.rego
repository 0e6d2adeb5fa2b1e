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

deny contains v if {
	input.resource.type == "AWS::SageMaker::Pipeline"
	some v in checks.pipeline_findings(data.guardrails.checks.sagemaker_composition.pipeline, "deny")
}

# Steps failing a warn-by-default job control (SM-08, SM-09) are reported as
# SM-19 in the warn set, so a pipeline is never judged harder than its jobs.
warn contains v if {
	input.resource.type == "AWS::SageMaker::Pipeline"
	some v in checks.pipeline_findings(data.guardrails.checks.sagemaker_composition.pipeline, "warn")
}
