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
#   tell them apart. They count as customer-managed here.
# - Any other alias ("alias/my-key", an alias ARN) is customer managed.
# - An unknown value (`<unknown ...>` placeholder, unresolved expression) cannot
#   be told apart at all: callers judge it as they judge other unknown values
#   (`lib.opaque`); `aws_managed` is false for it.
#
# Interface (stable: the S3 and SageMaker families both call it):
#   aws_managed(key)        true for a known AWS managed alias or alias ARN, else false
#   aws_managed_reason(key) the sentence saying why such a key fails the control

import rego.v1

# true | false; false for non-strings and for unknown placeholders.
aws_managed(key) := false if {
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
	"%s is an AWS managed key (alias/aws/...): its key policy cannot be changed and it cannot be shared or disabled by you; use a customer-managed KMS key",
	[key],
)
