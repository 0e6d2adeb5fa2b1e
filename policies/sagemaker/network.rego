package guardrails.rules.sagemaker_network

# SageMaker network controls: SM-01 .. SM-07 (deny by default) and SM-08, SM-09
# (warn by default, so they are in the `warn` set).

# Rule packages under guardrails.rules hold only their `deny` / `warn` rules:
# the entry point iterates these packages for every resource, and regorus pays
# for every function a package holds. The check functions are in
# guardrails.checks.sagemaker_network (network_checks.rego).

import data.guardrails.checks.sagemaker_network as checks
import rego.v1

deny contains v if {
	some v in checks.deny_checks(input.resource.type, data.guardrails.lib.props, data.guardrails.lib.unknown_paths)
}

# SM-21 is kept out of the deny_checks dispatch (used also for pipeline steps, which never launch a
# cluster): regorus evaluates every definition of a multi-definition function on each call.
deny contains v if {
	input.resource.type == "AWS::SageMaker::Cluster"
	some v in checks.cluster_vpc(data.guardrails.lib.props, data.guardrails.lib.unknown_paths)
}

warn contains v if {
	some v in checks.warn_checks(input.resource.type, data.guardrails.lib.props, data.guardrails.lib.unknown_paths)
}
