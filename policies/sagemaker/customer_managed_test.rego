package guardrails.tests.sagemaker_customer_managed_test

# SM-10 ... SM-16 require a customer-managed KMS key: an AWS managed key (alias/aws/<service>, as an
# alias name or an alias ARN in any partition) fails with a message saying why; a customer alias, a
# key id or a key ARN passes (lib/kms.rego).

import data.guardrails.tests.fixtures_test as f
import rego.v1

deny(d) := vs if {
	vs := data.guardrails.rules.sagemaker_encryption.deny with input as d
}

composition(d) := vs if {
	vs := data.guardrails.rules.sagemaker_composition.deny with input as d
}

managed := "alias/aws/sagemaker"

managed_arn_cn := "arn:aws-cn:kms:cn-north-1:111122223333:alias/aws/sagemaker"

managed_arn_gov := "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/aws/s3"

customer_alias := "alias/ml-data"

customer_key_arn := "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

training(output_key, volume_key) := f.doc("AWS::SageMaker::TrainingJob", {
	"OutputDataConfig": {"S3OutputPath": "s3://b/o", "KmsKeyId": output_key},
	"ResourceConfig": {"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": volume_key},
})

test_training_aws_managed_alias_fails_saying_why_sm10 if {
	vs := deny(training(managed, customer_key_arn))
	f.fails(vs, "SM-10", "OutputDataConfig.KmsKeyId")
	f.says(vs, "SM-10", "alias/aws/sagemaker is an AWS managed key")
	f.says(vs, "SM-10", "use a customer-managed KMS key")
	count(f.of(vs, "SM-10")) == 1
}

test_training_aws_managed_alias_arn_in_any_partition_fails_sm10 if {
	f.fails(deny(training(customer_key_arn, managed_arn_cn)), "SM-10", "ResourceConfig.VolumeKmsKeyId")
	f.fails(deny(training(managed_arn_gov, customer_key_arn)), "SM-10", "OutputDataConfig.KmsKeyId")
}

test_training_customer_managed_keys_pass_sm10 if {
	f.passes(deny(training(customer_alias, customer_key_arn)), "SM-10")
	f.passes(deny(training("1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:eu-west-1:111122223333:alias/ml-volumes")), "SM-10")
}

test_training_unknown_key_is_not_judged_as_aws_managed_sm10 if {
	d := f.doc_unknown(
		"AWS::SageMaker::TrainingJob",
		{"OutputDataConfig": {"KmsKeyId": "<unknown: Ref Key>"}, "ResourceConfig": {"VolumeKmsKeyId": customer_alias}},
		["OutputDataConfig.KmsKeyId"],
	)
	f.passes(deny(d), "SM-10")
}

test_hpo_definition_aws_managed_key_fails_sm10 if {
	def := {"OutputDataConfig": {"KmsKeyId": customer_alias}, "ResourceConfig": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": managed}}
	f.fails(deny(f.doc("AWS::SageMaker::HyperParameterTuningJob", {"TrainingJobDefinition": def})), "SM-10", "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId")
}

test_processing_aws_managed_key_fails_sm11 if {
	d := f.doc("AWS::SageMaker::ProcessingJob", {
		"ProcessingOutputConfig": {"Outputs": [], "KmsKeyId": managed},
		"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": customer_alias}},
	})
	f.fails(deny(d), "SM-11", "ProcessingOutputConfig.KmsKeyId")
}

test_transform_aws_managed_key_fails_sm12 if {
	d := f.doc("AWS::SageMaker::TransformJob", {
		"TransformOutput": {"KmsKeyId": customer_alias},
		"TransformResources": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": managed},
	})
	f.fails(deny(d), "SM-12", "TransformResources.VolumeKmsKeyId")
}

variant := {"VariantName": "v", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 2}

test_endpoint_config_aws_managed_storage_key_fails_sm13 if {
	vs := deny(f.doc("AWS::SageMaker::EndpointConfig", {"KmsKeyId": managed, "ProductionVariants": [variant]}))
	f.fails(vs, "SM-13", "KmsKeyId")
	f.says(vs, "SM-13", "AWS managed key")
}

test_endpoint_config_customer_managed_storage_key_passes_sm13 if {
	f.passes(deny(f.doc("AWS::SageMaker::EndpointConfig", {"KmsKeyId": customer_key_arn, "ProductionVariants": [variant]})), "SM-13")
}

test_endpoint_config_aws_managed_capture_and_async_keys_fail_sm13 if {
	vs := deny(f.doc("AWS::SageMaker::EndpointConfig", {
		"KmsKeyId": customer_alias, "ProductionVariants": [variant],
		"DataCaptureConfig": {"DestinationS3Uri": "s3://b/c", "KmsKeyId": managed},
		"AsyncInferenceConfig": {"OutputConfig": {"S3OutputPath": "s3://b/a", "KmsKeyId": managed_arn_cn}},
	}))
	f.fails(vs, "SM-13", "DataCaptureConfig.KmsKeyId")
	f.fails(vs, "SM-13", "AsyncInferenceConfig.OutputConfig.KmsKeyId")
}

test_endpoint_config_aws_managed_capture_key_with_capture_disabled_passes_sm13 if {
	d := f.doc("AWS::SageMaker::EndpointConfig", {
		"KmsKeyId": customer_alias, "ProductionVariants": [variant],
		"DataCaptureConfig": {"EnableCapture": false, "DestinationS3Uri": "s3://b/c", "KmsKeyId": managed},
	})
	f.passes(deny(d), "SM-13")
}

test_notebook_aws_managed_key_fails_sm14 if {
	vs := deny(f.doc("AWS::SageMaker::NotebookInstance", {"KmsKeyId": managed}))
	f.fails(vs, "SM-14", "KmsKeyId")
	f.says(vs, "SM-14", "alias/aws/sagemaker is an AWS managed key")
	f.passes(deny(f.doc("AWS::SageMaker::NotebookInstance", {"KmsKeyId": customer_alias})), "SM-14")
}

test_domain_aws_managed_key_fails_sm15 if {
	f.fails(deny(f.doc("AWS::SageMaker::Domain", {"KmsKeyId": managed})), "SM-15", "KmsKeyId")
	f.fails(deny(f.doc("AWS::SageMaker::Domain", {"HomeEfsFileSystemKmsKeyId": "alias/aws/elasticfilesystem"})), "SM-15", "HomeEfsFileSystemKmsKeyId")
	f.passes(deny(f.doc("AWS::SageMaker::Domain", {"KmsKeyId": customer_key_arn})), "SM-15")
}

test_domain_aws_managed_key_is_not_hidden_by_the_deprecated_alias_sm15 if {
	f.fails(deny(f.doc("AWS::SageMaker::Domain", {"KmsKeyId": managed, "HomeEfsFileSystemKmsKeyId": customer_alias})), "SM-15", "KmsKeyId")
}

test_other_jobs_aws_managed_keys_fail_sm16 if {
	f.fails(deny(f.doc("AWS::SageMaker::CompilationJob", {"OutputConfig": {"KmsKeyId": managed}})), "SM-16", "OutputConfig.KmsKeyId")
	f.fails(deny(f.doc("AWS::SageMaker::AutoMLJobV2", {
		"OutputDataConfig": {"KmsKeyId": customer_alias},
		"SecurityConfig": {"VolumeKmsKeyId": managed},
	})), "SM-16", "SecurityConfig.VolumeKmsKeyId")
	f.fails(deny(f.doc("AWS::SageMaker::FeatureGroup", {
		"OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": "s3://b/f", "KmsKeyId": managed}},
		"OnlineStoreConfig": {"EnableOnlineStore": true, "SecurityConfig": {"KmsKeyId": managed_arn_gov}},
	})), "SM-16", "OnlineStoreConfig.SecurityConfig.KmsKeyId")
}

test_pipeline_step_with_an_aws_managed_key_fails_sm19 if {
	args := {
		"VpcConfig": {"Subnets": ["s"], "SecurityGroupIds": ["g"]},
		"OutputDataConfig": {"S3OutputPath": "s3://b/o", "KmsKeyId": managed},
		"ResourceConfig": {"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": customer_alias},
		"EnableNetworkIsolation": true, "EnableInterContainerTrafficEncryption": true,
	}
	body := json.marshal({"Version": "2020-12-01", "Steps": [{"Name": "train", "Type": "Training", "Arguments": args}]})
	vs := composition(f.doc("AWS::SageMaker::Pipeline", {"PipelineDefinition": body}))
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.OutputDataConfig.KmsKeyId")
	f.says(vs, "SM-19", "fails SM-10")
	count(vs) == 1
}

test_endpoint_config_with_aws_managed_key_fails_the_endpoint_sm17 if {
	cfg := f.related_doc("AWS::SageMaker::EndpointConfig", "ec", {"KmsKeyId": managed, "ProductionVariants": [object.remove(variant, ["ModelName"])]}, [])
	d := f.doc_related("AWS::SageMaker::Endpoint", {"EndpointConfigName": "ec"}, {"AWS::SageMaker::EndpointConfig/ec": cfg})
	vs := composition(d)
	f.fails(vs, "SM-17", "EndpointConfigName")
	f.says(vs, "SM-17", "AWS managed key")
}
