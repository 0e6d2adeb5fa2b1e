package guardrails.rules.s3

# S3 controls: S3-01 .. S3-04, S3-06, S3-08 (deny by default) and S3-05, S3-07
# (warn by default).
# A bucket document carries its public access block, ACL, policy (a JSON object)
# and default encryption in one properties object, whatever the source.

# Rule packages under guardrails.rules hold only their `deny` / `warn` rules:
# the entry point iterates these packages for every resource, and regorus pays
# for every function a package holds. The check functions are in
# guardrails.checks.s3 (s3_checks.rego).

import data.guardrails.checks.s3 as checks
import rego.v1

deny contains v if {
	input.resource.type == "AWS::S3::Bucket"
	some v in checks.bucket_deny(data.guardrails.lib.props, data.guardrails.lib.unknown_paths, data.guardrails.lib.runtime_point)
}

# One body for both warn controls: every rule body costs regorus about as much as a
# function call, for every resource of every type.
warn contains v if {
	input.resource.type == "AWS::S3::Bucket"
	some v in checks.bucket_warn(data.guardrails.lib.props, data.guardrails.lib.unknown_paths, data.guardrails.lib.runtime_point)
}

deny contains v if {
	input.resource.type == "AWS::S3::AccessPoint"
	some v in checks.access_point_deny(data.guardrails.lib.props, data.guardrails.lib.unknown_paths)
}

deny contains v if {
	input.resource.type == "AWS::S3::AccountPublicAccessBlock"
	data.guardrails.lib.runtime_point
	some v in checks.account_block_public_access(data.guardrails.lib.props, data.guardrails.lib.unknown_paths)
}
