package guardrails.tests.kms_test

import data.guardrails.lib.kms
import rego.v1

test_aws_managed_aliases_and_alias_arns if {
	kms.aws_managed("alias/aws/s3")
	kms.aws_managed("alias/aws/sagemaker")
	kms.aws_managed("ALIAS/AWS/S3")
	kms.aws_managed("arn:aws:kms:us-east-1:111122223333:alias/aws/s3")
	kms.aws_managed("arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/aws/ebs")
	kms.aws_managed("arn:aws-cn:kms:cn-north-1:111122223333:alias/aws/sagemaker")
}

test_customer_managed_keys_and_aliases if {
	not kms.aws_managed("alias/my-key")
	not kms.aws_managed("alias/awsome")
	not kms.aws_managed("alias/aws-s3")
	not kms.aws_managed("arn:aws:kms:us-east-1:111122223333:alias/my-key")
	not kms.aws_managed("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	not kms.aws_managed("1234abcd-12ab-34cd-56ef-1234567890ab")
	not kms.aws_managed("mrk-1234abcd12ab34cd56ef1234567890ab")
	not kms.aws_managed("arn:aws:s3:::bucket/alias/aws/s3")
}

test_aws_managed_is_false_for_unknowns_and_non_strings if {
	not kms.aws_managed("<unknown: Ref KeyParam>")
	not kms.aws_managed({"Ref": "KeyParam"})
	not kms.aws_managed(null)
	not kms.aws_managed(1)
	kms.aws_managed(null) == false
}

test_reason_names_the_key if {
	contains(kms.aws_managed_reason("alias/aws/s3"), "alias/aws/s3 is an AWS managed key")
}
