package guardrails.tests.sagemaker_instance_storage_test

# Instance types with local NVMe instance storage cannot take a volume KMS key (the SageMaker API
# refuses VolumeKmsKeyId / the endpoint-config KmsKeyId for them): the volume half of SM-10, SM-11,
# SM-12, SM-13 and SM-16 passes for them; the output key is still required. The list is bundle data
# (policies/data/instance_storage.json).

import data.guardrails.lib.sagemaker as sm
import data.guardrails.tests.fixtures_test as f
import rego.v1

deny(d) := vs if {
	vs := data.guardrails.rules.sagemaker_encryption.deny with input as d
}

output := {"S3OutputPath": "s3://b/o", "KmsKeyId": "k"}

training(resource_config) := f.doc("AWS::SageMaker::TrainingJob", {"OutputDataConfig": output, "ResourceConfig": resource_config})

# ---------------------------------------------------------------------------
# The data and the lookup
# ---------------------------------------------------------------------------

test_instance_storage_lookup_reads_the_bundle_data if {
	sm.instance_storage("ml.p4d.24xlarge") == "nvme"
	sm.instance_storage("ml.g5.2xlarge") == "nvme"
	sm.instance_storage("ml.trn1.32xlarge") == "nvme"
	sm.instance_storage("ml.m5.xlarge") == "ebs"
	sm.instance_storage("ml.p2.xlarge") == "ebs"
}

test_instance_storage_of_unlisted_or_malformed_types_is_unknown if {
	sm.instance_storage("ml.zz9.large") == "unknown"
	sm.instance_storage("p4d.24xlarge") == "unknown"
	sm.instance_storage("<unknown: Ref InstanceType>") == "unknown"
	sm.instance_storage(7) == "unknown"
	sm.instance_storage(null) == "unknown"
}

test_instance_storage_follows_the_data_not_code if {
	sm.instance_storage("ml.m5.xlarge") == "nvme" with data.guardrails.facts.instance_storage.families as {"m5": "nvme"}
	sm.instance_storage("ml.p4d.24xlarge") == "unknown" with data.guardrails.facts.instance_storage.families as {"m5": "nvme"}
}

# ---------------------------------------------------------------------------
# SM-10 training (ResourceConfig.InstanceType, InstanceGroups[]) and HPO
# ---------------------------------------------------------------------------

test_training_on_local_nvme_instance_needs_no_volume_key_sm10 if {
	f.passes(deny(training({"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 1})), "SM-10")
}

test_training_on_local_nvme_instance_still_needs_the_output_key_sm10 if {
	d := f.doc("AWS::SageMaker::TrainingJob", {"OutputDataConfig": {"S3OutputPath": "s3://b/o"}, "ResourceConfig": {"InstanceType": "ml.g5.xlarge"}})
	vs := deny(d)
	f.fails(vs, "SM-10", "OutputDataConfig.KmsKeyId")
	count(f.of(vs, "SM-10")) == 1
}

test_training_on_ebs_instance_needs_the_volume_key_sm10 if {
	vs := deny(training({"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}))
	f.fails(vs, "SM-10", "ResourceConfig.VolumeKmsKeyId")
	f.says(vs, "SM-10", "no local NVMe storage")
}

test_training_instance_groups_with_one_local_nvme_group_need_no_volume_key_sm10 if {
	groups := [{"InstanceGroupName": "a", "InstanceType": "ml.c5.xlarge"}, {"InstanceGroupName": "b", "InstanceType": "ml.g5.xlarge"}]
	f.passes(deny(training({"InstanceGroups": groups})), "SM-10")
}

test_training_instance_groups_all_ebs_need_the_volume_key_sm10 if {
	groups := [{"InstanceGroupName": "a", "InstanceType": "ml.c5.xlarge"}, {"InstanceGroupName": "b", "InstanceType": "ml.p3.2xlarge"}]
	f.fails(deny(training({"InstanceGroups": groups})), "SM-10", "ResourceConfig.VolumeKmsKeyId")
}

test_training_unknown_instance_type_is_unknown_sm10 if {
	d := f.doc_unknown(
		"AWS::SageMaker::TrainingJob",
		{"OutputDataConfig": output, "ResourceConfig": {"InstanceType": "<unknown: Ref InstanceType>"}},
		["ResourceConfig.InstanceType"],
	)
	f.unknown(deny(d), "SM-10", "ResourceConfig.VolumeKmsKeyId")
}

test_training_unlisted_instance_family_is_unknown_sm10 if {
	vs := deny(training({"InstanceType": "ml.zz9.48xlarge"}))
	f.unknown(vs, "SM-10", "ResourceConfig.VolumeKmsKeyId")
	f.says(vs, "SM-10", "instance-storage list")
}

test_training_unknown_instance_group_list_is_unknown_sm10 if {
	d := f.doc_unknown(
		"AWS::SageMaker::TrainingJob",
		{"OutputDataConfig": output, "ResourceConfig": {"InstanceGroups": "<unknown: Ref Groups>"}},
		["ResourceConfig.InstanceGroups"],
	)
	f.unknown(deny(d), "SM-10", "ResourceConfig.VolumeKmsKeyId")
}

test_training_known_local_group_decides_despite_an_unknown_one_sm10 if {
	groups := [{"InstanceGroupName": "a", "InstanceType": "<unknown: Ref T>"}, {"InstanceGroupName": "b", "InstanceType": "ml.p5.48xlarge"}]
	d := f.doc_unknown("AWS::SageMaker::TrainingJob", {"OutputDataConfig": output, "ResourceConfig": {"InstanceGroups": groups}}, ["ResourceConfig.InstanceGroups.0.InstanceType"])
	f.passes(deny(d), "SM-10")
}

test_hpo_tuning_resource_config_on_local_nvme_needs_no_volume_key_sm10 if {
	def := {"OutputDataConfig": output, "HyperParameterTuningResourceConfig": {"InstanceConfigs": [{"InstanceType": "ml.g4dn.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}]}}
	f.passes(deny(f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinition": def})), "SM-10")
}

test_hpo_definition_on_ebs_instance_needs_the_volume_key_sm10 if {
	def := {"OutputDataConfig": output, "ResourceConfig": {"InstanceType": "ml.m5.large"}}
	vs := deny(f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinitions": [def]}))
	f.fails(vs, "SM-10", "TrainingJobDefinitions.0.ResourceConfig.VolumeKmsKeyId")
}

# ---------------------------------------------------------------------------
# SM-11 processing, SM-12 transform, SM-16 monitoring (ClusterConfig / TransformResources)
# ---------------------------------------------------------------------------

test_processing_on_local_nvme_instance_needs_no_volume_key_sm11 if {
	d := f.doc("AWS::SageMaker::ProcessingJob", {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.r5d.large", "InstanceCount": 1}}})
	f.passes(deny(d), "SM-11")
}

test_processing_on_ebs_instance_needs_the_volume_key_sm11 if {
	d := f.doc("AWS::SageMaker::ProcessingJob", {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.r5.large", "InstanceCount": 1}}})
	f.fails(deny(d), "SM-11", "ProcessingResources.ClusterConfig.VolumeKmsKeyId")
}

test_transform_on_local_nvme_instance_needs_only_the_output_key_sm12 if {
	d := f.doc("AWS::SageMaker::TransformJob", {"TransformOutput": {"S3OutputPath": "s3://b/t"}, "TransformResources": {"InstanceType": "ml.g4dn.xlarge"}})
	vs := deny(d)
	f.fails(vs, "SM-12", "TransformOutput.KmsKeyId")
	count(f.of(vs, "SM-12")) == 1
}

test_transform_on_ebs_instance_needs_the_volume_key_sm12 if {
	d := f.doc("AWS::SageMaker::TransformJob", {"TransformOutput": {"KmsKeyId": "k"}, "TransformResources": {"InstanceType": "ml.c5.xlarge"}})
	f.fails(deny(d), "SM-12", "TransformResources.VolumeKmsKeyId")
}

test_monitoring_definition_on_local_nvme_instance_needs_no_volume_key_sm16 if {
	d := f.doc("AWS::SageMaker::DataQualityJobDefinition", {
		"DataQualityJobOutputConfig": {"KmsKeyId": "k"},
		"JobResources": {"ClusterConfig": {"InstanceType": "ml.m5d.large", "InstanceCount": 1}},
	})
	f.passes(deny(d), "SM-16")
}

test_monitoring_schedule_inline_on_ebs_instance_needs_the_volume_key_sm16 if {
	d := f.doc("AWS::SageMaker::MonitoringSchedule", {"MonitoringScheduleConfig": {"MonitoringJobDefinition": {
		"MonitoringOutputConfig": {"KmsKeyId": "k"},
		"MonitoringResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1}},
	}}})
	f.fails(deny(d), "SM-16", "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringResources.ClusterConfig.VolumeKmsKeyId")
}

# ---------------------------------------------------------------------------
# SM-13 endpoint configs: ProductionVariants[] / ShadowProductionVariants[] InstanceType
# ---------------------------------------------------------------------------

variant(t) := {"VariantName": t, "ModelName": "m", "InstanceType": t, "InitialInstanceCount": 2}

serverless := {"VariantName": "s", "ModelName": "m", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}

config(props) := f.doc("AWS::SageMaker::EndpointConfig", props)

test_endpoint_config_on_local_nvme_instances_needs_no_key_sm13 if {
	f.passes(deny(config({"ProductionVariants": [variant("ml.g5.2xlarge")]})), "SM-13")
}

test_endpoint_config_with_any_local_nvme_variant_needs_no_key_sm13 if {
	# AWS: if any variant uses an instance type with local storage, CreateEndpointConfig fails with a KmsKeyId.
	f.passes(deny(config({"ProductionVariants": [variant("ml.m5.large"), variant("ml.p4d.24xlarge")]})), "SM-13")
	f.passes(deny(config({"ProductionVariants": [variant("ml.m5.large")], "ShadowProductionVariants": [variant("ml.g4dn.xlarge")]})), "SM-13")
	f.passes(deny(config({"ProductionVariants": [serverless, variant("ml.g5.xlarge")]})), "SM-13")
}

test_endpoint_config_on_ebs_instances_needs_the_key_sm13 if {
	f.fails(deny(config({"ProductionVariants": [variant("ml.m5.large"), variant("ml.c5.large")]})), "SM-13", "KmsKeyId")
	f.fails(deny(config({"ProductionVariants": [serverless, variant("ml.inf2.xlarge")]})), "SM-13", "KmsKeyId")
}

test_endpoint_config_unknown_instance_type_is_unknown_sm13 if {
	d := f.doc_unknown(
		"AWS::SageMaker::EndpointConfig",
		{"ProductionVariants": [variant("ml.m5.large"), variant("<unknown: Ref InstanceType>")]},
		["ProductionVariants.1.InstanceType"],
	)
	f.unknown(deny(d), "SM-13", "KmsKeyId")
}

test_endpoint_config_unlisted_instance_family_is_unknown_sm13 if {
	f.unknown(deny(config({"ProductionVariants": [variant("ml.zz9.large")]})), "SM-13", "KmsKeyId")
}

test_endpoint_config_maybe_serverless_ebs_variant_still_fails_sm13 if {
	# An Fn::If may drop ServerlessConfig: serverless or on an EBS instance, the key is required
	# because the other variant certainly needs it and none can have local storage.
	maybe := object.union(variant("ml.c5.large"), {"ServerlessConfig": "<unknown: Fn::If Cheap>"})
	d := f.doc_unknown("AWS::SageMaker::EndpointConfig", {"ProductionVariants": [maybe, variant("ml.m5.large")]}, ["ProductionVariants.0.ServerlessConfig"])
	f.fails(deny(d), "SM-13", "KmsKeyId")
}

test_endpoint_config_maybe_serverless_local_nvme_variant_is_unknown_sm13 if {
	maybe := object.union(variant("ml.g5.xlarge"), {"ServerlessConfig": "<unknown: Fn::If Cheap>"})
	d := f.doc_unknown("AWS::SageMaker::EndpointConfig", {"ProductionVariants": [maybe, variant("ml.m5.large")]}, ["ProductionVariants.0.ServerlessConfig"])
	f.unknown(deny(d), "SM-13", "KmsKeyId")
}
