package guardrails.tests.sagemaker_encryption_test

import data.guardrails.tests.fixtures_test as f
import rego.v1

deny(d) := vs if {
	vs := data.guardrails.rules.sagemaker_encryption.deny with input as d
}

# ---------------------------------------------------------------------------
# SM-10 Training output and volumes use a KMS key
# ---------------------------------------------------------------------------

training_ok := {"OutputDataConfig": {"S3OutputPath": "s3://b/o", "KmsKeyId": "k"}, "ResourceConfig": {"VolumeKmsKeyId": "k"}}

test_training_with_keys_passes_sm10 if {
	f.passes(deny(f.doc("AWS::SageMaker::TrainingJob", training_ok)), "SM-10")
}

test_training_without_keys_fails_sm10 if {
	vs := deny(f.doc("AWS::SageMaker::TrainingJob", {"OutputDataConfig": {"S3OutputPath": "s3://b/o"}, "ResourceConfig": {"InstanceCount": 1}}))
	f.fails(vs, "SM-10", "OutputDataConfig.KmsKeyId")
	f.fails(vs, "SM-10", "ResourceConfig.VolumeKmsKeyId")
}

test_training_unknown_key_counts_as_set_sm10 if {
	d := f.doc_unknown(
		"AWS::SageMaker::TrainingJob",
		object.union(training_ok, {"OutputDataConfig": {"KmsKeyId": "<unknown: GetAtt Key.Arn>"}}),
		["OutputDataConfig.KmsKeyId"],
	)
	f.passes(deny(d), "SM-10")
}

test_hpo_definitions_keys_sm10 if {
	vs := deny(f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinitions": [
		training_ok,
		{"OutputDataConfig": {"KmsKeyId": "k"}},
	]}))
	f.fails(vs, "SM-10", "TrainingJobDefinitions.1.ResourceConfig.VolumeKmsKeyId")
	count(f.of(vs, "SM-10")) == 1
}

test_hpo_tuning_resource_config_volume_key_sm10 if {
	d := f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinition": {
		"OutputDataConfig": {"KmsKeyId": "k"},
		"HyperParameterTuningResourceConfig": {"InstanceCount": 2},
	}})
	f.fails(deny(d), "SM-10", "TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId")
	ok := f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinition": {
		"OutputDataConfig": {"KmsKeyId": "k"},
		"HyperParameterTuningResourceConfig": {"VolumeKmsKeyId": "k"},
	}})
	f.passes(deny(ok), "SM-10")
}

# ---------------------------------------------------------------------------
# SM-11 Processing output and volumes use a KMS key
# ---------------------------------------------------------------------------

test_processing_with_keys_passes_sm11 if {
	d := f.doc("AWS::SageMaker::ProcessingJob", {
		"ProcessingOutputConfig": {"Outputs": [], "KmsKeyId": "k"},
		"ProcessingResources": {"ClusterConfig": {"VolumeKmsKeyId": "k"}},
	})
	f.passes(deny(d), "SM-11")
}

test_processing_without_keys_fails_sm11 if {
	vs := deny(f.doc("AWS::SageMaker::ProcessingJob", {"ProcessingOutputConfig": {"Outputs": []}, "ProcessingResources": {"ClusterConfig": {}}}))
	f.fails(vs, "SM-11", "ProcessingOutputConfig.KmsKeyId")
	f.fails(vs, "SM-11", "ProcessingResources.ClusterConfig.VolumeKmsKeyId")
}

test_processing_without_outputs_needs_only_the_volume_key_sm11 if {
	vs := deny(f.doc("AWS::SageMaker::ProcessingJob", {"ProcessingResources": {"ClusterConfig": {}}}))
	f.fails(vs, "SM-11", "ProcessingResources.ClusterConfig.VolumeKmsKeyId")
	count(f.of(vs, "SM-11")) == 1
}

# ---------------------------------------------------------------------------
# SM-12 Batch transform output and volumes use a KMS key
# ---------------------------------------------------------------------------

test_transform_with_keys_passes_sm12 if {
	d := f.doc("AWS::SageMaker::TransformJob", {"TransformOutput": {"KmsKeyId": "k"}, "TransformResources": {"VolumeKmsKeyId": "k"}})
	f.passes(deny(d), "SM-12")
}

test_transform_without_keys_fails_sm12 if {
	vs := deny(f.doc("AWS::SageMaker::TransformJob", {"TransformOutput": {"S3OutputPath": "s3://b"}}))
	f.fails(vs, "SM-12", "TransformOutput.KmsKeyId")
	f.fails(vs, "SM-12", "TransformResources.VolumeKmsKeyId")
}

# ---------------------------------------------------------------------------
# SM-13 Endpoint storage uses a KMS key
# ---------------------------------------------------------------------------

instance_variant := {"VariantName": "a", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 2}

serverless_variant := {"VariantName": "s", "ModelName": "m", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}

test_endpoint_config_with_key_passes_sm13 if {
	f.passes(deny(f.doc("AWS::SageMaker::EndpointConfig", {"KmsKeyId": "k", "ProductionVariants": [instance_variant]})), "SM-13")
}

test_endpoint_config_without_key_fails_sm13 if {
	f.fails(deny(f.doc("AWS::SageMaker::EndpointConfig", {"ProductionVariants": [instance_variant]})), "SM-13", "KmsKeyId")
}

test_endpoint_config_unknown_key_counts_as_set_sm13 if {
	d := f.doc_unknown("AWS::SageMaker::EndpointConfig", {"KmsKeyId": "<unknown: Ref Key>", "ProductionVariants": [instance_variant]}, ["KmsKeyId"])
	f.passes(deny(d), "SM-13")
}

# KmsKeyId left out and listed unknown (an Fn::If that may drop it): unknown, not a definite failure.
test_endpoint_config_maybe_absent_key_is_unknown_sm13 if {
	d := f.doc_unknown("AWS::SageMaker::EndpointConfig", {"ProductionVariants": [instance_variant]}, ["KmsKeyId"])
	vs := deny(d)
	f.unknown(vs, "SM-13", "KmsKeyId")
	not f.fails(vs, "SM-13", "KmsKeyId")
}

# A maybe-absent key still passes where no key is needed (every variant serverless).
test_endpoint_config_maybe_absent_key_all_serverless_passes_sm13 if {
	d := f.doc_unknown("AWS::SageMaker::EndpointConfig", {"ProductionVariants": [serverless_variant]}, ["KmsKeyId"])
	f.passes(deny(d), "SM-13")
}

test_endpoint_config_all_serverless_needs_no_key_sm13 if {
	d := f.doc("AWS::SageMaker::EndpointConfig", {"ProductionVariants": [serverless_variant, serverless_variant]})
	f.passes(deny(d), "SM-13")
}

test_endpoint_config_mixed_serverless_needs_key_sm13 if {
	d := f.doc("AWS::SageMaker::EndpointConfig", {"ProductionVariants": [serverless_variant, instance_variant]})
	f.fails(deny(d), "SM-13", "KmsKeyId")
}

test_endpoint_config_instance_shadow_variant_needs_key_sm13 if {
	d := f.doc("AWS::SageMaker::EndpointConfig", {"ProductionVariants": [serverless_variant], "ShadowProductionVariants": [instance_variant]})
	f.fails(deny(d), "SM-13", "KmsKeyId")
}

test_endpoint_config_unknown_variants_is_unknown_sm13 if {
	d := f.doc_unknown("AWS::SageMaker::EndpointConfig", {"ProductionVariants": "<unknown: Fn::If>"}, ["ProductionVariants"])
	vs := deny(d)
	f.unknown(vs, "SM-13", "KmsKeyId")
	not f.fails(vs, "SM-13", "KmsKeyId")
}

test_endpoint_config_unknown_serverless_config_is_unknown_sm13 if {
	variant := object.union(serverless_variant, {"ServerlessConfig": "<unknown: Fn::If IsProdEnv>"})
	d := f.doc_unknown("AWS::SageMaker::EndpointConfig", {"ProductionVariants": [variant]}, ["ProductionVariants.0.ServerlessConfig"])
	vs := deny(d)
	f.unknown(vs, "SM-13", "KmsKeyId")
	not f.fails(vs, "SM-13", "KmsKeyId")
}

test_endpoint_config_known_instance_variant_fails_despite_unknown_ones_sm13 if {
	unknown_variant := object.union(serverless_variant, {"ServerlessConfig": "<unknown: Fn::If IsProdEnv>"})
	d := f.doc_unknown(
		"AWS::SageMaker::EndpointConfig",
		{"ProductionVariants": [unknown_variant, instance_variant]},
		["ProductionVariants.0.ServerlessConfig"],
	)
	f.fails(deny(d), "SM-13", "KmsKeyId")
}

test_endpoint_config_capture_without_key_fails_sm13 if {
	d := f.doc("AWS::SageMaker::EndpointConfig", {
		"KmsKeyId": "k", "ProductionVariants": [instance_variant],
		"DataCaptureConfig": {"EnableCapture": true, "DestinationS3Uri": "s3://b/c"},
	})
	f.fails(deny(d), "SM-13", "DataCaptureConfig.KmsKeyId")
}

test_endpoint_config_capture_unset_flag_means_enabled_sm13 if {
	d := f.doc("AWS::SageMaker::EndpointConfig", {
		"KmsKeyId": "k", "ProductionVariants": [instance_variant],
		"DataCaptureConfig": {"DestinationS3Uri": "s3://b/c"},
	})
	f.fails(deny(d), "SM-13", "DataCaptureConfig.KmsKeyId")
}

test_endpoint_config_capture_disabled_needs_no_key_sm13 if {
	d := f.doc("AWS::SageMaker::EndpointConfig", {
		"KmsKeyId": "k", "ProductionVariants": [instance_variant],
		"DataCaptureConfig": {"EnableCapture": "false", "DestinationS3Uri": "s3://b/c"},
	})
	f.passes(deny(d), "SM-13")
}

test_endpoint_config_capture_with_key_passes_sm13 if {
	d := f.doc("AWS::SageMaker::EndpointConfig", {
		"KmsKeyId": "k", "ProductionVariants": [instance_variant],
		"DataCaptureConfig": {"EnableCapture": true, "KmsKeyId": "k"},
	})
	f.passes(deny(d), "SM-13")
}

test_endpoint_config_capture_flag_unknown_is_unknown_sm13 if {
	d := f.doc_unknown(
		"AWS::SageMaker::EndpointConfig",
		{"KmsKeyId": "k", "ProductionVariants": [instance_variant], "DataCaptureConfig": {"EnableCapture": "<unknown: Ref Capture>"}},
		["DataCaptureConfig.EnableCapture"],
	)
	f.unknown(deny(d), "SM-13", "DataCaptureConfig.KmsKeyId")
}

test_endpoint_config_async_without_key_fails_sm13 if {
	d := f.doc("AWS::SageMaker::EndpointConfig", {
		"KmsKeyId": "k", "ProductionVariants": [instance_variant],
		"AsyncInferenceConfig": {"OutputConfig": {"S3OutputPath": "s3://b/a"}},
	})
	f.fails(deny(d), "SM-13", "AsyncInferenceConfig.OutputConfig.KmsKeyId")
}

test_endpoint_config_async_with_key_passes_sm13 if {
	d := f.doc("AWS::SageMaker::EndpointConfig", {
		"KmsKeyId": "k", "ProductionVariants": [instance_variant],
		"AsyncInferenceConfig": {"OutputConfig": {"KmsKeyId": "k"}},
	})
	f.passes(deny(d), "SM-13")
}

# ---------------------------------------------------------------------------
# SM-14 Notebook volumes / SM-15 Studio domain storage
# ---------------------------------------------------------------------------

test_notebook_kms_sm14 if {
	f.fails(deny(f.doc("AWS::SageMaker::NotebookInstance", {})), "SM-14", "KmsKeyId")
	f.passes(deny(f.doc("AWS::SageMaker::NotebookInstance", {"KmsKeyId": "k"})), "SM-14")
}

test_domain_kms_sm15 if {
	f.fails(deny(f.doc("AWS::SageMaker::Domain", {"AppNetworkAccessType": "VpcOnly"})), "SM-15", "KmsKeyId")
	f.passes(deny(f.doc("AWS::SageMaker::Domain", {"KmsKeyId": "k"})), "SM-15")
}

test_domain_deprecated_efs_key_alias_passes_sm15 if {
	f.passes(deny(f.doc("AWS::SageMaker::Domain", {"HomeEfsFileSystemKmsKeyId": "k"})), "SM-15")
}

# ---------------------------------------------------------------------------
# SM-16 Other ML jobs encrypt output and volumes
# ---------------------------------------------------------------------------

test_automl_v1_keys_sm16 if {
	vs := deny(f.doc("AWS::SageMaker::AutoMLJob", {"OutputDataConfig": {"S3OutputPath": "s3://b"}}))
	f.fails(vs, "SM-16", "OutputDataConfig.KmsKeyId")
	f.fails(vs, "SM-16", "AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId")
	ok := f.doc("AWS::SageMaker::AutoMLJob", {"OutputDataConfig": {"KmsKeyId": "k"}, "AutoMLJobConfig": {"SecurityConfig": {"VolumeKmsKeyId": "k"}}})
	f.passes(deny(ok), "SM-16")
}

test_automl_v2_keys_sm16 if {
	f.fails(deny(f.doc("AWS::SageMaker::AutoMLJobV2", {})), "SM-16", "SecurityConfig.VolumeKmsKeyId")
	ok := f.doc("AWS::SageMaker::AutoMLJobV2", {"OutputDataConfig": {"KmsKeyId": "k"}, "SecurityConfig": {"VolumeKmsKeyId": "k"}})
	f.passes(deny(ok), "SM-16")
}

test_compilation_output_key_sm16 if {
	f.fails(deny(f.doc("AWS::SageMaker::CompilationJob", {"OutputConfig": {}})), "SM-16", "OutputConfig.KmsKeyId")
	f.passes(deny(f.doc("AWS::SageMaker::CompilationJob", {"OutputConfig": {"KmsKeyId": "k"}})), "SM-16")
}

test_labeling_job_keys_sm16 if {
	plain := deny(f.doc("AWS::SageMaker::LabelingJob", {"OutputConfig": {"S3OutputPath": "s3://b"}}))
	f.fails(plain, "SM-16", "OutputConfig.KmsKeyId")
	count(f.of(plain, "SM-16")) == 1
	automated := deny(f.doc("AWS::SageMaker::LabelingJob", {
		"OutputConfig": {"KmsKeyId": "k"},
		"LabelingJobAlgorithmsConfig": {"LabelingJobAlgorithmSpecificationArn": "arn"},
	}))
	f.fails(automated, "SM-16", "LabelingJobAlgorithmsConfig.LabelingJobResourceConfig.VolumeKmsKeyId")
	ok := f.doc("AWS::SageMaker::LabelingJob", {
		"OutputConfig": {"KmsKeyId": "k"},
		"LabelingJobAlgorithmsConfig": {"LabelingJobResourceConfig": {"VolumeKmsKeyId": "k"}},
	})
	f.passes(deny(ok), "SM-16")
}

monitoring_outputs := {
	"AWS::SageMaker::DataQualityJobDefinition": "DataQualityJobOutputConfig",
	"AWS::SageMaker::ModelQualityJobDefinition": "ModelQualityJobOutputConfig",
	"AWS::SageMaker::ModelBiasJobDefinition": "ModelBiasJobOutputConfig",
	"AWS::SageMaker::ModelExplainabilityJobDefinition": "ModelExplainabilityJobOutputConfig",
}

test_monitoring_job_definitions_keys_sm16 if {
	every t, output in monitoring_outputs {
		vs := deny(f.doc(t, {}))
		f.fails(vs, "SM-16", concat(".", [output, "KmsKeyId"]))
		f.fails(vs, "SM-16", "JobResources.ClusterConfig.VolumeKmsKeyId")
		ok := f.doc(t, {output: {"KmsKeyId": "k"}, "JobResources": {"ClusterConfig": {"VolumeKmsKeyId": "k"}}})
		f.passes(deny(ok), "SM-16")
	}
}

test_monitoring_schedule_inline_keys_sm16 if {
	vs := deny(f.doc("AWS::SageMaker::MonitoringSchedule", {"MonitoringScheduleConfig": {"MonitoringJobDefinition": {
		"MonitoringOutputConfig": {"MonitoringOutputs": []},
		"MonitoringResources": {"ClusterConfig": {"VolumeKmsKeyId": "k"}},
	}}}))
	f.fails(vs, "SM-16", "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringOutputConfig.KmsKeyId")
	count(f.of(vs, "SM-16")) == 1
}

test_monitoring_schedule_inline_definition_unknown_counts_as_set_sm16 if {
	d := f.doc_unknown(
		"AWS::SageMaker::MonitoringSchedule",
		{"MonitoringScheduleConfig": "<unknown: Fn::If>"},
		["MonitoringScheduleConfig"],
	)
	f.passes(deny(d), "SM-16")
}

test_feature_group_offline_store_key_sm16 if {
	f.fails(
		deny(f.doc("AWS::SageMaker::FeatureGroup", {"OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": "s3://b"}}})),
		"SM-16", "OfflineStoreConfig.S3StorageConfig.KmsKeyId",
	)
	f.passes(deny(f.doc("AWS::SageMaker::FeatureGroup", {"OfflineStoreConfig": {"S3StorageConfig": {"KmsKeyId": "k"}}})), "SM-16")
}

test_feature_group_online_store_key_sm16 if {
	f.fails(
		deny(f.doc("AWS::SageMaker::FeatureGroup", {"OnlineStoreConfig": {"EnableOnlineStore": true}})),
		"SM-16", "OnlineStoreConfig.SecurityConfig.KmsKeyId",
	)
	ok := f.doc("AWS::SageMaker::FeatureGroup", {"OnlineStoreConfig": {"EnableOnlineStore": true, "SecurityConfig": {"KmsKeyId": "k"}}})
	f.passes(deny(ok), "SM-16")
}

test_feature_group_without_stores_or_disabled_online_store_passes_sm16 if {
	f.passes(deny(f.doc("AWS::SageMaker::FeatureGroup", {})), "SM-16")
	f.passes(deny(f.doc("AWS::SageMaker::FeatureGroup", {"OnlineStoreConfig": {"EnableOnlineStore": false}})), "SM-16")
}

test_feature_group_online_flag_unknown_is_unknown_sm16 if {
	d := f.doc_unknown(
		"AWS::SageMaker::FeatureGroup",
		{"OnlineStoreConfig": {"EnableOnlineStore": "<unknown: Ref Online>"}},
		["OnlineStoreConfig.EnableOnlineStore"],
	)
	f.unknown(deny(d), "SM-16", "OnlineStoreConfig.SecurityConfig.KmsKeyId")
}

# ---------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------

test_other_resource_types_get_no_encryption_findings if {
	count(deny(f.doc("AWS::SageMaker::Endpoint", {}))) == 0
	count(deny(f.doc("AWS::SageMaker::Model", {}))) == 0
	count(deny(f.doc("AWS::S3::Bucket", {}))) == 0
}

# The fast branches of endpoint_storage_kms(_with) for an absent KmsKeyId rest on
# this: when KmsKeyId is absent or null and no unknown entry is a string prefix of
# it, the key is neither set-or-unknown nor maybe absent, whatever the document.
test_absent_storage_key_is_neither_set_nor_maybe_absent_sm13 if {
	cases := [
		{"obj": {}, "unk": []},
		{"obj": {"KmsKeyId": null}, "unk": []},
		{"obj": {}, "unk": ["KmsKeyIdX", "ProductionVariants.0.ModelName"]},
		{"obj": {"ProductionVariants": [{"InstanceType": "ml.m5.large"}]}, "unk": ["DataCaptureConfig"]},
	]
	every c in cases {
		object.get(c.obj, "KmsKeyId", null) == null
		not strings.any_prefix_match("KmsKeyId", c.unk)
		not data.guardrails.lib.set_or_unknown(c.obj, c.unk, "KmsKeyId")
		not data.guardrails.lib.maybe_absent(c.obj, c.unk, "KmsKeyId")
	}
}

# The cases the fast branches leave to the general chain still give their own findings.
test_absent_storage_key_listed_or_wholly_unknown_sm13 if {
	variants := [{"InstanceType": "ml.m5.large"}]
	missing := data.guardrails.checks.sagemaker_encryption.endpoint_storage_kms({"ProductionVariants": variants}, [])
	missing == data.guardrails.checks.sagemaker_encryption.endpoint_storage_missing
	listed := data.guardrails.checks.sagemaker_encryption.endpoint_storage_kms({"ProductionVariants": variants}, ["KmsKeyId"])
	count(listed) == 1
	every v in listed {
		v.unknown == true
		v.path == "KmsKeyId"
	}
	nested := data.guardrails.checks.sagemaker_encryption.endpoint_storage_kms({"ProductionVariants": variants}, [""])
	nested == set()
}
