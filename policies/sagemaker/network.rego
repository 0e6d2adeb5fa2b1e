package guardrails.rules.sagemaker_network

# SageMaker network controls: SM-01 .. SM-07 (deny by default) and SM-08, SM-09
# (warn by default, so they are in the `warn` set).

# Rule packages under guardrails.rules hold only their `deny` / `warn` rules:
# the entry point iterates these packages for every resource, and regorus pays
# for every function a package holds. The check functions are in
# guardrails.checks.sagemaker_network (network_checks.rego).

import data.guardrails.checks.sagemaker_network as checks
import rego.v1

# The type guard lists exactly the types of the dispatch function (tests/engine/test_dispatch_guards.py
# checks it): regorus tries every definition of a multi-definition function on each call (~40 K
# instructions for 15), so the other resource types skip the call with one set lookup.
deny contains v if {
	input.resource.type in {
		"AWS::SageMaker::TrainingJob",
		"AWS::SageMaker::HyperParameterTuningJob",
		"AWS::SageMaker::ProcessingJob",
		"AWS::SageMaker::Model",
		"AWS::SageMaker::NotebookInstance",
		"AWS::SageMaker::Domain",
		"AWS::SageMaker::AutoMLJob",
		"AWS::SageMaker::AutoMLJobV2",
		"AWS::SageMaker::CompilationJob",
		"AWS::SageMaker::LabelingJob",
		"AWS::SageMaker::MonitoringSchedule",
		"AWS::SageMaker::DataQualityJobDefinition",
		"AWS::SageMaker::ModelQualityJobDefinition",
		"AWS::SageMaker::ModelBiasJobDefinition",
		"AWS::SageMaker::ModelExplainabilityJobDefinition",
	}
	some v in checks.deny_checks(input.resource.type, data.guardrails.lib.props, data.guardrails.lib.unknown_paths)
}

# SM-21 is kept out of the deny_checks dispatch (used also for pipeline steps, which never launch a
# cluster): regorus evaluates every definition of a multi-definition function on each call.
deny contains v if {
	input.resource.type == "AWS::SageMaker::Cluster"
	some v in checks.cluster_vpc(data.guardrails.lib.props, data.guardrails.lib.unknown_paths)
}

warn contains v if {
	input.resource.type in {
		"AWS::SageMaker::TrainingJob",
		"AWS::SageMaker::HyperParameterTuningJob",
		"AWS::SageMaker::Model",
		"AWS::SageMaker::ProcessingJob",
		"AWS::SageMaker::AutoMLJob",
		"AWS::SageMaker::AutoMLJobV2",
		"AWS::SageMaker::MonitoringSchedule",
		"AWS::SageMaker::DataQualityJobDefinition",
		"AWS::SageMaker::ModelQualityJobDefinition",
		"AWS::SageMaker::ModelBiasJobDefinition",
		"AWS::SageMaker::ModelExplainabilityJobDefinition",
	}
	some v in checks.warn_checks(input.resource.type, data.guardrails.lib.props, data.guardrails.lib.unknown_paths)
}
