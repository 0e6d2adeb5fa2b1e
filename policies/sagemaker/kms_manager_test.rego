package guardrails.tests.kms_manager_test

# A key id or key ARN names an AWS managed key only as far as KMS says so: where guardrails reads
# live resources it relates DescribeKey's answer as related["AWS::KMS::Key/<value>"] (lib/kms.rego).
# KeyManager AWS fails S3-04 and SM-10 ... SM-16 like an alias/aws/... name; KeyManager CUSTOMER, no
# related document, or a key KMS would not describe (KeyManager unknown) keep the presence
# convention: the key counts as customer-managed.

import data.guardrails.lib.kms
import data.guardrails.tests.fixtures_test as f
import rego.v1

sm(d) := vs if {
	vs := data.guardrails.rules.sagemaker_encryption.deny with input as d
}

composition(d) := vs if {
	vs := data.guardrails.rules.sagemaker_composition.deny with input as d
}

s3(d) := vs if {
	vs := data.guardrails.rules.s3.deny with input as d
}

key_arn := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

key_id := "0987dcba-09fe-87dc-65ba-ab0987654321"

key(manager) := f.related_doc("AWS::KMS::Key", key_arn, {"KeyManager": manager, "KeyState": "Enabled", "Arn": key_arn, "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}, [])

unread := f.related_doc("AWS::KMS::Key", key_arn, {"KeyId": key_arn, "KeyManager": "<unknown: DescribeKey failed: [AccessDeniedException] denied>"}, ["KeyManager"])

with_key(t, props, document) := f.doc_related(t, props, {concat("", ["AWS::KMS::Key/", key_arn]): document})

notebook := {"KmsKeyId": key_arn}

# The rule itself, read `with input`: regorus does not apply `with input` to the rules a function
# called under it reads (the controls below are read as rules, so they are).
test_lib_aws_managed_when_kms_says_aws if {
	managed := kms.managed_by_aws with input as with_key("AWS::SageMaker::NotebookInstance", notebook, key("AWS"))
	managed == {key_arn}
}

test_lib_aws_managed_only_for_the_key_kms_answered_about if {
	managed := kms.managed_by_aws with input as with_key("AWS::SageMaker::NotebookInstance", notebook, key("AWS"))
	not key_id in managed
}

test_lib_customer_key_is_not_aws_managed if {
	managed := kms.managed_by_aws with input as with_key("AWS::SageMaker::NotebookInstance", notebook, key("CUSTOMER"))
	managed == set()
}

test_lib_unread_key_keeps_the_presence_convention if {
	managed := kms.managed_by_aws with input as with_key("AWS::SageMaker::NotebookInstance", notebook, unread)
	managed == set()
}

test_lib_key_without_a_kms_document_keeps_the_presence_convention if {
	managed := kms.managed_by_aws with input as f.doc("AWS::SageMaker::NotebookInstance", notebook)
	managed == set()
}

test_notebook_with_an_aws_managed_key_arn_fails_sm14_naming_it if {
	vs := sm(with_key("AWS::SageMaker::NotebookInstance", notebook, key("AWS")))
	f.fails(vs, "SM-14", "KmsKeyId")
	f.says(vs, "SM-14", concat("", [key_arn, " is an AWS managed key (KMS DescribeKey: KeyManager AWS)"]))
}

test_a_customer_key_passes_sm14 if {
	f.passes(sm(with_key("AWS::SageMaker::NotebookInstance", notebook, key("CUSTOMER"))), "SM-14")
}

test_a_key_without_an_answer_passes_sm14 if {
	f.passes(sm(f.doc("AWS::SageMaker::NotebookInstance", notebook)), "SM-14")
}

test_an_unread_key_passes_sm14 if {
	f.passes(sm(with_key("AWS::SageMaker::NotebookInstance", notebook, unread)), "SM-14")
}

test_training_volume_key_arn_aws_managed_fails_sm10 if {
	props := {
		"OutputDataConfig": {"S3OutputPath": "s3://b/o", "KmsKeyId": "alias/ml-data"},
		"ResourceConfig": {"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": key_arn},
	}
	vs := sm(with_key("AWS::SageMaker::TrainingJob", props, key("AWS")))
	f.fails(vs, "SM-10", "ResourceConfig.VolumeKmsKeyId")
	count(f.of(vs, "SM-10")) == 1
}

test_training_volume_key_unread_passes_sm10 if {
	props := {
		"OutputDataConfig": {"S3OutputPath": "s3://b/o", "KmsKeyId": "alias/ml-data"},
		"ResourceConfig": {"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": key_arn},
	}
	f.passes(sm(with_key("AWS::SageMaker::TrainingJob", props, unread)), "SM-10")
}

endpoint_config := {
	"KmsKeyId": key_arn,
	"ProductionVariants": [{"VariantName": "v", "ModelName": "m", "InstanceType": "ml.m5.large"}],
	"DataCaptureConfig": {"EnableCapture": true, "KmsKeyId": key_arn},
	"AsyncInferenceConfig": {"OutputConfig": {"KmsKeyId": key_arn}},
}

test_endpoint_config_keys_aws_managed_fail_sm13 if {
	vs := sm(with_key("AWS::SageMaker::EndpointConfig", endpoint_config, key("AWS")))
	f.fails(vs, "SM-13", "KmsKeyId")
	f.fails(vs, "SM-13", "DataCaptureConfig.KmsKeyId")
	f.fails(vs, "SM-13", "AsyncInferenceConfig.OutputConfig.KmsKeyId")
}

test_endpoint_config_customer_keys_pass_sm13 if {
	f.passes(sm(with_key("AWS::SageMaker::EndpointConfig", endpoint_config, key("CUSTOMER"))), "SM-13")
}

# An endpoint is judged through its config: the key's answer is related to the endpoint itself.
test_endpoint_through_a_config_with_an_aws_managed_key_fails_sm17 if {
	cfg := f.related_doc("AWS::SageMaker::EndpointConfig", "cfg", endpoint_config, [])
	related := {"AWS::SageMaker::EndpointConfig/cfg": cfg, concat("", ["AWS::KMS::Key/", key_arn]): key("AWS")}
	vs := composition(f.doc_related("AWS::SageMaker::Endpoint", {"EndpointConfigName": "cfg"}, related))
	some v in vs
	v.control == "SM-17"
	v.via == "SM-13"
}

test_domain_key_aws_managed_fails_sm15 if {
	vs := sm(with_key("AWS::SageMaker::Domain", {"KmsKeyId": key_arn}, key("AWS")))
	f.fails(vs, "SM-15", "KmsKeyId")
}

test_domain_deprecated_key_aws_managed_fails_sm15 if {
	vs := sm(with_key("AWS::SageMaker::Domain", {"HomeEfsFileSystemKmsKeyId": key_arn}, key("AWS")))
	f.fails(vs, "SM-15", "HomeEfsFileSystemKmsKeyId")
}

bucket(document) := with_key("AWS::S3::Bucket", {"BucketName": "b", "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}]}}, document)

test_bucket_default_encryption_with_aws_managed_key_arn_fails_s3_04 if {
	vs := s3(bucket(key("AWS")))
	f.fails(vs, "S3-04", "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.KMSMasterKeyID")
	f.says(vs, "S3-04", "KeyManager AWS")
}

test_bucket_default_encryption_with_customer_key_passes_s3_04 if {
	f.passes(s3(bucket(key("CUSTOMER"))), "S3-04")
}

test_bucket_default_encryption_with_unread_key_passes_s3_04 if {
	f.passes(s3(bucket(unread)), "S3-04")
}
