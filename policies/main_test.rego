package guardrails.tests.main_test

import data.guardrails.tests.fixtures_test as f
import rego.v1

findings(d) := vs if {
	vs := data.guardrails.main.findings with input as d
}

all_types := [
	"AWS::SageMaker::TrainingJob", "AWS::SageMaker::ProcessingJob", "AWS::SageMaker::TransformJob",
	"AWS::SageMaker::HyperParameterTuningJob", "AWS::SageMaker::AutoMLJob", "AWS::SageMaker::AutoMLJobV2",
	"AWS::SageMaker::CompilationJob", "AWS::SageMaker::LabelingJob", "AWS::SageMaker::Model",
	"AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Endpoint", "AWS::SageMaker::NotebookInstance",
	"AWS::SageMaker::Domain", "AWS::SageMaker::Pipeline", "AWS::SageMaker::FeatureGroup",
	"AWS::SageMaker::MonitoringSchedule", "AWS::SageMaker::DataQualityJobDefinition",
	"AWS::SageMaker::ModelQualityJobDefinition", "AWS::SageMaker::ModelBiasJobDefinition",
	"AWS::SageMaker::ModelExplainabilityJobDefinition", "AWS::S3::Bucket", "AWS::S3::AccountPublicAccessBlock",
]

allowed_keys := {"control", "message", "path", "unknown", "default_enforcement"}

well_formed(v) if {
	regex.match(`^(SM|S3)-[0-9]{2}$`, v.control)
	is_string(v.message)
	v.message != ""
	is_string(v.path)
	v.path != ""
	object.get(v, "unknown", true) == true
	object.get(v, "default_enforcement", "warn") == "warn"
	every k, _ in v {
		k in allowed_keys
	}
}

test_findings_collect_deny_and_warn_sets if {
	vs := findings(f.doc("AWS::SageMaker::NotebookInstance", {}))
	some sm04 in vs
	sm04.control == "SM-04"
	not sm04.default_enforcement
	some sm18 in vs
	sm18.control == "SM-18"
	sm18.default_enforcement == "warn"
}

test_every_finding_is_well_formed_for_every_type if {
	every t in all_types {
		every v in findings(f.doc_at(t, {}, "runtime")) {
			well_formed(v)
		}
	}
}

# A feature group without stores has nothing to encrypt; every other type is
# noncompliant when nothing is set (AWS defaults are not secure defaults).
test_every_type_with_empty_properties_has_findings if {
	every t in [x | some x in all_types; x != "AWS::SageMaker::FeatureGroup"] {
		count(findings(f.doc_at(t, {}, "runtime"))) > 0
	}
}

test_unknown_resource_types_have_no_findings if {
	count(findings(f.doc("AWS::EC2::Instance", {"SubnetId": "s"}))) == 0
	count(findings({})) == 0
}

test_odd_shapes_do_not_break_evaluation if {
	odd := {
		"VpcConfig": "subnet-1", "NetworkConfig": [1], "OutputDataConfig": 5, "ResourceConfig": null,
		"TrainingJobDefinition": "x", "TrainingJobDefinitions": {"a": 1}, "ProductionVariants": [1, "x", null],
		"ShadowProductionVariants": "x", "DataCaptureConfig": [true], "MonitoringScheduleConfig": 3,
		"PipelineDefinition": {"Steps": [1, {"Type": 5, "Arguments": "x"}, {"Type": "Condition", "Arguments": {"IfSteps": "x"}}]},
		"EndpointConfigName": ["x"], "PublicAccessBlockConfiguration": [true], "AccessControl": 7,
		"AccessControlPolicy": {"Grants": [1, {"Grantee": 2}]}, "BucketEncryption": {"ServerSideEncryptionConfiguration": "x"},
		"Policy": {"Statement": [1, "x", {"Effect": 1, "Principal": 2, "Action": {"a": 1}, "Condition": [1]}, {"Effect": "Allow", "Principal": "*", "Condition": {"StringEquals": 5}}]},
		"DirectInternetAccess": true, "RootAccess": 0, "AppNetworkAccessType": ["VpcOnly"],
	}
	every t in all_types {
		d := {"resource": {"type": t, "name": "r", "properties": odd}, "related": {"x": 1}, "context": {"point": "runtime", "unknown": ["", 5]}}
		is_set(findings(d))
		d2 := {"resource": {"type": t, "name": "r", "properties": odd}, "context": {"point": 5, "unknown": "x"}}
		is_set(findings(d2))
	}
}

test_test_packages_are_outside_the_rules_tree if {
	every name, _ in data.guardrails.rules {
		not endswith(name, "_test")
	}
}
