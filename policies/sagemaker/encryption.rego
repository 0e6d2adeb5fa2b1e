package guardrails.rules.sagemaker_encryption

# SageMaker encryption at rest with a customer-managed KMS key: SM-10 .. SM-16
# (all deny by default).

# Rule packages under guardrails.rules hold only their `deny` / `warn` rules:
# the entry point iterates these packages for every resource, and regorus pays
# for every function a package holds. The check functions are in
# guardrails.checks.sagemaker_encryption (encryption_checks.rego).

import data.guardrails.checks.sagemaker_encryption as checks
import rego.v1

# The type guard lists exactly the types of the dispatch function (tests/engine/test_dispatch_guards.py
# checks it): regorus tries every definition of a multi-definition function on each call (~40 K
# instructions for 15), so the other resource types skip the call with one set lookup.
deny contains v if {
	input.resource.type in {
		"AWS::SageMaker::TrainingJob",
		"AWS::SageMaker::HyperParameterTuningJob",
		"AWS::SageMaker::ProcessingJob",
		"AWS::SageMaker::TransformJob",
		"AWS::SageMaker::EndpointConfig",
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
		"AWS::SageMaker::FeatureGroup",
	}
	some v in checks.deny_checks(input.resource.type, data.guardrails.lib.props, data.guardrails.lib.unknown_paths)
}
