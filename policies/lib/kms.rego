package guardrails.lib.kms

# KMS key helpers shared by the "customer-managed KMS key" controls (S3-04,
# SM-10 ... SM-16).
#
# A key is customer-managed unless it is AWS managed. What the *text* of a key
# reference can tell:
# - Aliases: AWS managed keys have the reserved aliases "alias/aws/<service>"
#   (alias/aws/s3, alias/aws/sagemaker, alias/aws/ebs, ...); customers cannot
#   create aliases beginning with "alias/aws/". So "alias/aws/..." and
#   "arn:<partition>:kms:<region>:<account>:alias/aws/..." are AWS managed.
# - Key ids (a UUID, or "mrk-..." for multi-Region keys) and key ARNs
#   ("arn:<partition>:kms:<region>:<account>:key/<id>") look the same for AWS
#   managed and customer managed keys: only KMS (DescribeKey KeyManager) can
#   tell them apart. Where guardrails reads live resources (admission with
#   describes, runtime, scan) it asks, and relates the answer to the resource as
#   related["AWS::KMS::Key/<value exactly as in properties>"] (an AWS::KMS::Key
#   document: KeyManager, KeyState, Arn, KeyId). A key whose related document
#   says KeyManager "AWS" is AWS managed, whatever its text. A key without one
#   (pre-deploy, or KMS would not describe it: KeyManager unknown there) counts
#   as customer-managed here: the presence convention.
# - Any other alias ("alias/my-key", an alias ARN) is customer managed.
# - An unknown value (`<unknown ...>` placeholder, unresolved expression) cannot
#   be told apart at all: callers judge it as they judge other unknown values
#   (`lib.opaque`); `aws_managed` is false for it.
#
# Interface (stable: the S3 and SageMaker families both call it):
#   aws_managed(key)        true for a known AWS managed alias or alias ARN, or a key
#                           KMS says AWS manages, else false
#   aws_managed_reason(key) the sentence saying why such a key fails the control
#   managed_by_aws[key]     the key references KMS says AWS manages (a set)

import data.guardrails.lib
import rego.v1

# The key references (as written in the properties) whose related KMS document
# says KeyManager "AWS". A rule: built once per evaluation; empty without KMS
# documents, so the common case is one set lookup.
managed_by_aws contains substring(k, 14, -1) if {
	some k, doc in data.guardrails.lib.related
	startswith(k, "AWS::KMS::Key/")
	doc.resource.properties.KeyManager == "AWS"
}

# true | false; false for non-strings and for unknown placeholders.
aws_managed(key) := true if {
	managed_by_aws[key]
} else := false if {
	# The common case, a key id or key ARN: no alias at all.
	is_string(key)
	not contains(lower(key), "alias/")
} else := true if {
	is_string(key)
	startswith(lower(key), "alias/aws/")
} else := true if {
	is_string(key)
	alias_arn_name(key) != ""
	startswith(lower(alias_arn_name(key)), "alias/aws/")
} else := false

# The resource part of a KMS alias ARN (arn:<partition>:kms:<region>:<account>:alias/<name>),
# "" when key is not such an ARN.
alias_arn_name(key) := parts[5] if {
	startswith(key, "arn:")
	parts := split(key, ":")
	count(parts) == 6
	parts[2] == "kms"
	startswith(parts[5], "alias/")
} else := ""

aws_managed_reason(key) := sprintf(
	"%s is an AWS managed key (KMS DescribeKey: KeyManager AWS): its key policy cannot be changed and it cannot be shared or disabled by you; use a customer-managed KMS key",
	[key],
) if {
	managed_by_aws[key]
} else := sprintf(
	"%s is an AWS managed key (alias/aws/...): its key policy cannot be changed and it cannot be shared or disabled by you; use a customer-managed KMS key",
	[key],
)
