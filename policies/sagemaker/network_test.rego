package guardrails.tests.sagemaker_network_test

import data.guardrails.tests.fixtures_test as f
import rego.v1

deny(d) := vs if {
	vs := data.guardrails.rules.sagemaker_network.deny with input as d
}

warn(d) := vs if {
	vs := data.guardrails.rules.sagemaker_network.warn with input as d
}

vpc := {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}

# ---------------------------------------------------------------------------
# SM-01 Training runs in a customer VPC
# ---------------------------------------------------------------------------

test_training_in_vpc_passes_sm01 if {
	f.passes(deny(f.doc("AWS::SageMaker::TrainingJob", {"VpcConfig": vpc})), "SM-01")
}

test_training_without_vpc_fails_sm01 if {
	vs := deny(f.doc("AWS::SageMaker::TrainingJob", {}))
	f.fails(vs, "SM-01", "VpcConfig.Subnets")
	f.fails(vs, "SM-01", "VpcConfig.SecurityGroupIds")
}

test_training_with_empty_subnets_fails_sm01 if {
	vs := deny(f.doc("AWS::SageMaker::TrainingJob", {"VpcConfig": {"Subnets": [], "SecurityGroupIds": ["sg-1"]}}))
	f.fails(vs, "SM-01", "VpcConfig.Subnets")
	count(f.of(vs, "SM-01")) == 1
}

test_training_unknown_vpc_counts_as_set_sm01 if {
	d := f.doc_unknown(
		"AWS::SageMaker::TrainingJob",
		{"VpcConfig": {"Subnets": "<unknown: Ref SubnetIds>", "SecurityGroupIds": ["<unknown: GetAtt Sg.GroupId>"]}},
		["VpcConfig.Subnets", "VpcConfig.SecurityGroupIds.0"],
	)
	f.passes(deny(d), "SM-01")
}

test_training_unknown_parent_counts_as_set_sm01 if {
	d := f.doc_unknown("AWS::SageMaker::TrainingJob", {"VpcConfig": "<unknown: ImportValue vpc>"}, ["VpcConfig"])
	f.passes(deny(d), "SM-01")
}

test_hpo_single_definition_without_vpc_fails_sm01 if {
	vs := deny(f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinition": {"RoleArn": "r"}}))
	f.fails(vs, "SM-01", "TrainingJobDefinition.VpcConfig.Subnets")
	f.fails(vs, "SM-01", "TrainingJobDefinition.VpcConfig.SecurityGroupIds")
}

test_hpo_single_definition_in_vpc_passes_sm01 if {
	f.passes(deny(f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinition": {"VpcConfig": vpc}})), "SM-01")
}

test_hpo_every_definition_is_checked_sm01 if {
	vs := deny(f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinitions": [
		{"DefinitionName": "xgb", "VpcConfig": vpc},
		{"DefinitionName": "linear"},
		{"DefinitionName": "knn", "VpcConfig": {"Subnets": ["s"]}},
	]}))
	f.fails(vs, "SM-01", "TrainingJobDefinitions.1.VpcConfig.Subnets")
	f.fails(vs, "SM-01", "TrainingJobDefinitions.1.VpcConfig.SecurityGroupIds")
	f.fails(vs, "SM-01", "TrainingJobDefinitions.2.VpcConfig.SecurityGroupIds")
	count(f.of(vs, "SM-01")) == 3
	f.says(vs, "SM-01", "TrainingJobDefinitions.1 (linear)")
}

test_hpo_both_definition_shapes_are_checked_sm01 if {
	vs := deny(f.doc("AWS::SageMaker::HyperParameterTuningJob", {
		"TrainingJobDefinition": {"VpcConfig": vpc},
		"TrainingJobDefinitions": [{"VpcConfig": {"SecurityGroupIds": ["sg"]}}],
	}))
	f.fails(vs, "SM-01", "TrainingJobDefinitions.0.VpcConfig.Subnets")
	count(f.of(vs, "SM-01")) == 1
}

test_hpo_all_definitions_in_vpc_pass_sm01 if {
	d := f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinitions": [{"VpcConfig": vpc}, {"VpcConfig": vpc}]})
	f.passes(deny(d), "SM-01")
}

test_hpo_unknown_definition_element_is_not_a_failure_sm01 if {
	d := f.doc_unknown(
		"AWS::SageMaker::HyperParameterTuningJob",
		{"TrainingJobDefinitions": [{"VpcConfig": vpc}, "<unknown: Fn::If>"]},
		["TrainingJobDefinitions.1"],
	)
	f.passes(deny(d), "SM-01")
	f.unknown(warn(d), "SM-08", "TrainingJobDefinitions.1.EnableNetworkIsolation")
}

# ---------------------------------------------------------------------------
# SM-02 Processing runs in a customer VPC
# ---------------------------------------------------------------------------

test_processing_in_vpc_passes_sm02 if {
	f.passes(deny(f.doc("AWS::SageMaker::ProcessingJob", {"NetworkConfig": {"VpcConfig": vpc}})), "SM-02")
}

test_processing_without_vpc_fails_sm02 if {
	vs := deny(f.doc("AWS::SageMaker::ProcessingJob", {"NetworkConfig": {"EnableNetworkIsolation": true}}))
	f.fails(vs, "SM-02", "NetworkConfig.VpcConfig.Subnets")
	f.fails(vs, "SM-02", "NetworkConfig.VpcConfig.SecurityGroupIds")
}

# ---------------------------------------------------------------------------
# SM-03 Models run in a customer VPC
# ---------------------------------------------------------------------------

test_model_in_vpc_passes_sm03 if {
	f.passes(deny(f.doc("AWS::SageMaker::Model", {"VpcConfig": vpc})), "SM-03")
}

test_model_without_vpc_fails_sm03 if {
	vs := deny(f.doc("AWS::SageMaker::Model", {"PrimaryContainer": {"Image": "img"}}))
	f.fails(vs, "SM-03", "VpcConfig.Subnets")
	f.fails(vs, "SM-03", "VpcConfig.SecurityGroupIds")
}

# model_vpc's fast path for an absent VpcConfig gives what the general vpc() gives,
# and the cases it must leave to vpc() (something listed unknown at or above a
# path, a placeholder VpcConfig, a null one) still agree with vpc().
model_vpc_cases := [
	{"obj": {}, "unk": []},
	{"obj": {"VpcConfig": null}, "unk": []},
	{"obj": {"PrimaryContainer": {"Image": "img"}}, "unk": ["PrimaryContainer.Image"]},
	{"obj": {}, "unk": ["VpcConfigX"]},
	{"obj": {}, "unk": ["VpcConfig"]},
	{"obj": {}, "unk": ["VpcConfig.Subnets"]},
	{"obj": {}, "unk": ["VpcConfig.SecurityGroupIds"]},
	{"obj": {}, "unk": [""]},
	{"obj": {"VpcConfig": "<unknown: Ref Vpc>"}, "unk": ["VpcConfig"]},
	{"obj": {"VpcConfig": "<unknown: Ref Vpc>"}, "unk": []},
	{"obj": {"VpcConfig": {"Ref": "Vpc"}}, "unk": []},
	{"obj": {"VpcConfig": {}}, "unk": []},
	{"obj": {"VpcConfig": {"Subnets": []}}, "unk": []},
	{"obj": {"VpcConfig": {"Subnets": ["s"]}}, "unk": ["VpcConfig.SecurityGroupIds"]},
]

test_model_vpc_fast_path_equals_general_check if {
	every c in model_vpc_cases {
		data.guardrails.checks.sagemaker_network.model_vpc(c.obj, c.unk) == data.guardrails.checks.sagemaker_network.vpc("SM-03", c.obj, c.unk, "VpcConfig", "model")
	}
}

test_model_vpc_fast_path_findings if {
	vs := data.guardrails.checks.sagemaker_network.model_vpc({}, [])
	count(vs) == 2
	every v in vs {
		v.control == "SM-03"
		not v.unknown
	}
	vu := data.guardrails.checks.sagemaker_network.model_vpc({}, ["VpcConfig"])
	count(vu) == 2
	every v in vu {
		v.unknown == true
	}
}

# ---------------------------------------------------------------------------
# SM-04 / SM-05 Notebook instances
# ---------------------------------------------------------------------------

notebook_ok := {"SubnetId": "subnet-1", "SecurityGroupIds": ["sg-1"], "DirectInternetAccess": "Disabled"}

test_notebook_in_vpc_without_internet_passes_sm04_sm05 if {
	vs := deny(f.doc("AWS::SageMaker::NotebookInstance", notebook_ok))
	f.passes(vs, "SM-04")
	f.passes(vs, "SM-05")
}

test_notebook_without_subnet_fails_sm04 if {
	vs := deny(f.doc("AWS::SageMaker::NotebookInstance", object.remove(notebook_ok, ["SubnetId"])))
	f.fails(vs, "SM-04", "SubnetId")
	count(f.of(vs, "SM-04")) == 1
}

test_notebook_without_security_groups_fails_sm04 if {
	vs := deny(f.doc("AWS::SageMaker::NotebookInstance", object.union(notebook_ok, {"SecurityGroupIds": []})))
	f.fails(vs, "SM-04", "SecurityGroupIds")
}

test_notebook_unknown_subnet_counts_as_set_sm04 if {
	d := f.doc_unknown("AWS::SageMaker::NotebookInstance", object.union(notebook_ok, {"SubnetId": "<unknown: Ref Subnet>"}), ["SubnetId"])
	f.passes(deny(d), "SM-04")
}

test_notebook_direct_internet_unset_fails_sm05 if {
	vs := deny(f.doc("AWS::SageMaker::NotebookInstance", object.remove(notebook_ok, ["DirectInternetAccess"])))
	f.fails(vs, "SM-05", "DirectInternetAccess")
	f.says(vs, "SM-05", "AWS default: Enabled")
}

test_notebook_direct_internet_enabled_fails_sm05 if {
	vs := deny(f.doc("AWS::SageMaker::NotebookInstance", object.union(notebook_ok, {"DirectInternetAccess": "Enabled"})))
	f.fails(vs, "SM-05", "DirectInternetAccess")
}

test_notebook_direct_internet_disabled_any_case_passes_sm05 if {
	f.passes(deny(f.doc("AWS::SageMaker::NotebookInstance", object.union(notebook_ok, {"DirectInternetAccess": "disabled"}))), "SM-05")
}

test_notebook_direct_internet_unknown_is_unknown_sm05 if {
	d := f.doc_unknown(
		"AWS::SageMaker::NotebookInstance",
		object.union(notebook_ok, {"DirectInternetAccess": "<unknown: Ref Dia>"}),
		["DirectInternetAccess"],
	)
	vs := deny(d)
	f.unknown(vs, "SM-05", "DirectInternetAccess")
	not f.fails(vs, "SM-05", "DirectInternetAccess")
}

# ---------------------------------------------------------------------------
# SM-06 Studio domains are VPC-only
# ---------------------------------------------------------------------------

test_domain_vpc_only_passes_sm06 if {
	f.passes(deny(f.doc("AWS::SageMaker::Domain", {"AppNetworkAccessType": "VpcOnly"})), "SM-06")
}

test_domain_network_access_unset_fails_sm06 if {
	vs := deny(f.doc("AWS::SageMaker::Domain", {"VpcId": "vpc-1"}))
	f.fails(vs, "SM-06", "AppNetworkAccessType")
	f.says(vs, "SM-06", "PublicInternetOnly")
}

test_domain_public_internet_fails_sm06 if {
	f.fails(deny(f.doc("AWS::SageMaker::Domain", {"AppNetworkAccessType": "PublicInternetOnly"})), "SM-06", "AppNetworkAccessType")
}

test_domain_network_access_unknown_is_unknown_sm06 if {
	d := f.doc_unknown("AWS::SageMaker::Domain", {"AppNetworkAccessType": "<unknown: Ref Mode>"}, ["AppNetworkAccessType"])
	f.unknown(deny(d), "SM-06", "AppNetworkAccessType")
}

# ---------------------------------------------------------------------------
# SM-07 Other ML jobs run in a customer VPC
# ---------------------------------------------------------------------------

test_automl_v1_without_vpc_fails_sm07 if {
	vs := deny(f.doc("AWS::SageMaker::AutoMLJob", {"AutoMLJobConfig": {"SecurityConfig": {"VolumeKmsKeyId": "k"}}}))
	f.fails(vs, "SM-07", "AutoMLJobConfig.SecurityConfig.VpcConfig.Subnets")
	f.fails(vs, "SM-07", "AutoMLJobConfig.SecurityConfig.VpcConfig.SecurityGroupIds")
}

test_automl_v1_in_vpc_passes_sm07 if {
	f.passes(deny(f.doc("AWS::SageMaker::AutoMLJob", {"AutoMLJobConfig": {"SecurityConfig": {"VpcConfig": vpc}}})), "SM-07")
}

test_automl_v2_without_vpc_fails_sm07 if {
	f.fails(deny(f.doc("AWS::SageMaker::AutoMLJobV2", {})), "SM-07", "SecurityConfig.VpcConfig.Subnets")
}

test_automl_v2_in_vpc_passes_sm07 if {
	f.passes(deny(f.doc("AWS::SageMaker::AutoMLJobV2", {"SecurityConfig": {"VpcConfig": vpc}})), "SM-07")
}

test_compilation_job_vpc_sm07 if {
	f.fails(deny(f.doc("AWS::SageMaker::CompilationJob", {})), "SM-07", "VpcConfig.Subnets")
	f.passes(deny(f.doc("AWS::SageMaker::CompilationJob", {"VpcConfig": vpc})), "SM-07")
}

monitoring_definition_types := [
	"AWS::SageMaker::DataQualityJobDefinition",
	"AWS::SageMaker::ModelQualityJobDefinition",
	"AWS::SageMaker::ModelBiasJobDefinition",
	"AWS::SageMaker::ModelExplainabilityJobDefinition",
]

test_monitoring_job_definitions_without_vpc_fail_sm07 if {
	every t in monitoring_definition_types {
		f.fails(deny(f.doc(t, {"NetworkConfig": {"EnableNetworkIsolation": true}})), "SM-07", "NetworkConfig.VpcConfig.Subnets")
	}
}

test_monitoring_job_definitions_in_vpc_pass_sm07 if {
	every t in monitoring_definition_types {
		f.passes(deny(f.doc(t, {"NetworkConfig": {"VpcConfig": vpc}})), "SM-07")
	}
}

test_monitoring_schedule_inline_definition_without_vpc_fails_sm07 if {
	d := f.doc("AWS::SageMaker::MonitoringSchedule", {"MonitoringScheduleConfig": {"MonitoringJobDefinition": {"MonitoringOutputConfig": {}}}})
	f.fails(deny(d), "SM-07", "MonitoringScheduleConfig.MonitoringJobDefinition.NetworkConfig.VpcConfig.Subnets")
}

test_monitoring_schedule_inline_definition_in_vpc_passes_sm07 if {
	d := f.doc("AWS::SageMaker::MonitoringSchedule", {"MonitoringScheduleConfig": {"MonitoringJobDefinition": {"NetworkConfig": {"VpcConfig": vpc}}}})
	f.passes(deny(d), "SM-07")
}

test_monitoring_schedule_referencing_a_definition_is_judged_on_the_definition_sm07 if {
	d := f.doc("AWS::SageMaker::MonitoringSchedule", {"MonitoringScheduleConfig": {
		"MonitoringJobDefinitionName": "dq-def",
		"MonitoringType": "DataQuality",
	}})
	count(deny(d)) == 0
	count(warn(d)) == 0
}

test_labeling_job_with_automated_labeling_needs_vpc_sm07 if {
	d := f.doc("AWS::SageMaker::LabelingJob", {"LabelingJobAlgorithmsConfig": {"LabelingJobAlgorithmSpecificationArn": "arn"}})
	f.fails(deny(d), "SM-07", "LabelingJobAlgorithmsConfig.LabelingJobResourceConfig.VpcConfig.Subnets")
}

test_labeling_job_with_automated_labeling_in_vpc_passes_sm07 if {
	d := f.doc("AWS::SageMaker::LabelingJob", {"LabelingJobAlgorithmsConfig": {"LabelingJobResourceConfig": {"VpcConfig": vpc}}})
	f.passes(deny(d), "SM-07")
}

test_labeling_job_without_automated_labeling_has_no_vpc_to_set_sm07 if {
	f.passes(deny(f.doc("AWS::SageMaker::LabelingJob", {"HumanTaskConfig": {}})), "SM-07")
}

# ---------------------------------------------------------------------------
# SM-08 Network isolation (warn)
# ---------------------------------------------------------------------------

test_training_isolation_unset_fails_sm08 if {
	vs := warn(f.doc("AWS::SageMaker::TrainingJob", {}))
	f.fails(vs, "SM-08", "EnableNetworkIsolation")
	f.passes(deny(f.doc("AWS::SageMaker::TrainingJob", {})), "SM-08")
}

test_training_isolation_true_passes_sm08 if {
	f.passes(warn(f.doc("AWS::SageMaker::TrainingJob", {"EnableNetworkIsolation": true})), "SM-08")
}

test_training_isolation_string_true_passes_sm08 if {
	f.passes(warn(f.doc("AWS::SageMaker::TrainingJob", {"EnableNetworkIsolation": "True"})), "SM-08")
}

test_training_isolation_false_fails_sm08 if {
	f.fails(warn(f.doc("AWS::SageMaker::TrainingJob", {"EnableNetworkIsolation": "false"})), "SM-08", "EnableNetworkIsolation")
}

test_model_isolation_sm08 if {
	f.fails(warn(f.doc("AWS::SageMaker::Model", {})), "SM-08", "EnableNetworkIsolation")
	f.passes(warn(f.doc("AWS::SageMaker::Model", {"EnableNetworkIsolation": true})), "SM-08")
}

test_model_isolation_unknown_is_unknown_sm08 if {
	d := f.doc_unknown("AWS::SageMaker::Model", {"EnableNetworkIsolation": "<unknown: Ref Iso>"}, ["EnableNetworkIsolation"])
	f.unknown(warn(d), "SM-08", "EnableNetworkIsolation")
}

test_processing_isolation_sm08 if {
	f.fails(warn(f.doc("AWS::SageMaker::ProcessingJob", {})), "SM-08", "NetworkConfig.EnableNetworkIsolation")
	f.passes(warn(f.doc("AWS::SageMaker::ProcessingJob", {"NetworkConfig": {"EnableNetworkIsolation": true}})), "SM-08")
}

test_hpo_definitions_isolation_sm08 if {
	vs := warn(f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinitions": [
		{"EnableNetworkIsolation": true},
		{"EnableNetworkIsolation": false},
	]}))
	f.fails(vs, "SM-08", "TrainingJobDefinitions.1.EnableNetworkIsolation")
	not f.fails(vs, "SM-08", "TrainingJobDefinitions.0.EnableNetworkIsolation")
}

test_monitoring_isolation_sm08 if {
	every t in monitoring_definition_types {
		f.fails(warn(f.doc(t, {})), "SM-08", "NetworkConfig.EnableNetworkIsolation")
		f.passes(warn(f.doc(t, {"NetworkConfig": {"EnableNetworkIsolation": true}})), "SM-08")
	}
	d := f.doc("AWS::SageMaker::MonitoringSchedule", {"MonitoringScheduleConfig": {"MonitoringJobDefinition": {}}})
	f.fails(warn(d), "SM-08", "MonitoringScheduleConfig.MonitoringJobDefinition.NetworkConfig.EnableNetworkIsolation")
}

test_automl_has_no_isolation_setting_sm08 if {
	f.passes(warn(f.doc("AWS::SageMaker::AutoMLJob", {})), "SM-08")
}

# ---------------------------------------------------------------------------
# SM-09 Inter-container traffic encryption (warn)
# ---------------------------------------------------------------------------

test_training_traffic_encryption_sm09 if {
	f.fails(warn(f.doc("AWS::SageMaker::TrainingJob", {})), "SM-09", "EnableInterContainerTrafficEncryption")
	f.passes(warn(f.doc("AWS::SageMaker::TrainingJob", {"EnableInterContainerTrafficEncryption": true})), "SM-09")
}

test_processing_traffic_encryption_sm09 if {
	f.fails(warn(f.doc("AWS::SageMaker::ProcessingJob", {})), "SM-09", "NetworkConfig.EnableInterContainerTrafficEncryption")
	d := f.doc("AWS::SageMaker::ProcessingJob", {"NetworkConfig": {"EnableInterContainerTrafficEncryption": true}})
	f.passes(warn(d), "SM-09")
}

test_automl_traffic_encryption_sm09 if {
	f.fails(warn(f.doc("AWS::SageMaker::AutoMLJob", {})), "SM-09", "AutoMLJobConfig.SecurityConfig.EnableInterContainerTrafficEncryption")
	f.fails(warn(f.doc("AWS::SageMaker::AutoMLJobV2", {})), "SM-09", "SecurityConfig.EnableInterContainerTrafficEncryption")
	d := f.doc("AWS::SageMaker::AutoMLJobV2", {"SecurityConfig": {"EnableInterContainerTrafficEncryption": true}})
	f.passes(warn(d), "SM-09")
}

test_monitoring_traffic_encryption_sm09 if {
	every t in monitoring_definition_types {
		f.fails(warn(f.doc(t, {})), "SM-09", "NetworkConfig.EnableInterContainerTrafficEncryption")
	}
	d := f.doc("AWS::SageMaker::ModelBiasJobDefinition", {"NetworkConfig": {"EnableInterContainerTrafficEncryption": true}})
	f.passes(warn(d), "SM-09")
}

test_hpo_traffic_encryption_sm09 if {
	d := f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinition": {"EnableInterContainerTrafficEncryption": true}})
	f.passes(warn(d), "SM-09")
	f.fails(warn(f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinition": {}})), "SM-09", "TrainingJobDefinition.EnableInterContainerTrafficEncryption")
}

test_traffic_encryption_unknown_is_unknown_sm09 if {
	d := f.doc_unknown("AWS::SageMaker::TrainingJob", {"EnableInterContainerTrafficEncryption": "<unknown: Ref X>"}, ["EnableInterContainerTrafficEncryption"])
	f.unknown(warn(d), "SM-09", "EnableInterContainerTrafficEncryption")
}

# ---------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------

test_other_resource_types_get_no_network_findings if {
	count(deny(f.doc("AWS::S3::Bucket", {}))) == 0
	count(warn(f.doc("AWS::SageMaker::Endpoint", {}))) == 0
	count(deny(f.doc("AWS::SageMaker::TransformJob", {}))) == 0
}

# ---------------------------------------------------------------------------
# SM-21 HyperPod clusters run in a customer VPC
# ---------------------------------------------------------------------------

cluster_group := {"InstanceGroupName": "workers", "InstanceType": "ml.p5.48xlarge", "InstanceCount": 2}

test_cluster_in_vpc_passes_sm21 if {
	f.passes(deny(f.doc("AWS::SageMaker::Cluster", {"VpcConfig": vpc, "InstanceGroups": [cluster_group]})), "SM-21")
}

test_cluster_without_vpc_fails_sm21 if {
	vs := deny(f.doc("AWS::SageMaker::Cluster", {"InstanceGroups": [cluster_group]}))
	f.fails(vs, "SM-21", "VpcConfig.Subnets")
	f.fails(vs, "SM-21", "VpcConfig.SecurityGroupIds")
	f.says(vs, "SM-21", "HyperPod cluster")
}

test_cluster_with_empty_security_groups_fails_sm21 if {
	vs := deny(f.doc("AWS::SageMaker::Cluster", {"VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": []}}))
	f.fails(vs, "SM-21", "VpcConfig.SecurityGroupIds")
	count(f.of(vs, "SM-21")) == 1
}

test_cluster_unknown_vpc_counts_as_set_sm21 if {
	d := f.doc_unknown("AWS::SageMaker::Cluster", {"VpcConfig": "<unknown: not part of the UpdateCluster request>"}, ["VpcConfig"])
	f.passes(deny(d), "SM-21")
}

test_cluster_group_override_without_subnets_fails_sm21 if {
	group := object.union(cluster_group, {"OverrideVpcConfig": {"SecurityGroupIds": ["sg-2"]}})
	vs := deny(f.doc("AWS::SageMaker::Cluster", {"VpcConfig": vpc, "InstanceGroups": [group]}))
	f.fails(vs, "SM-21", "InstanceGroups.0.OverrideVpcConfig.Subnets")
	count(f.of(vs, "SM-21")) == 1
}

test_cluster_group_override_in_vpc_passes_sm21 if {
	group := object.union(cluster_group, {"OverrideVpcConfig": {"Subnets": ["subnet-2"], "SecurityGroupIds": ["sg-2"]}})
	f.passes(deny(f.doc("AWS::SageMaker::Cluster", {"VpcConfig": vpc, "InstanceGroups": [group]})), "SM-21")
}

test_cluster_vpc_applies_only_to_clusters_sm21 if {
	f.passes(deny(f.doc("AWS::SageMaker::Domain", {})), "SM-21")
}
