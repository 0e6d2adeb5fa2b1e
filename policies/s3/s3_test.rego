package guardrails.tests.s3_test

import data.guardrails.tests.fixtures_test as f
import rego.v1

deny(d) := vs if {
	vs := data.guardrails.rules.s3.deny with input as d
}

warn(d) := vs if {
	vs := data.guardrails.rules.s3.warn with input as d
}

bucket(props) := f.doc("AWS::S3::Bucket", object.union({"BucketName": "b"}, props))

all_on := {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}

kms := {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k"}}]}

tls_statement := {
	"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
	"Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
	"Condition": {"Bool": {"aws:SecureTransport": "false"}},
}

policy(statements) := {"Version": "2012-10-17", "Statement": statements}

allow_all(extra) := object.union({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}, extra)

# ---------------------------------------------------------------------------
# S3-01 Bucket-level Block Public Access fully on
# ---------------------------------------------------------------------------

test_absent_bpa_passes_before_deploy_s301 if {
	f.passes(deny(bucket({})), "S3-01")
	f.passes(deny(f.doc_at("AWS::S3::Bucket", {}, "admission")), "S3-01")
}

test_absent_bpa_fails_at_runtime_s301 if {
	f.fails(deny(f.doc_at("AWS::S3::Bucket", {}, "runtime")), "S3-01", "PublicAccessBlockConfiguration")
	f.fails(deny(f.doc_at("AWS::S3::Bucket", {}, "scan")), "S3-01", "PublicAccessBlockConfiguration")
}

test_bpa_all_on_passes_s301 if {
	f.passes(deny(bucket({"PublicAccessBlockConfiguration": all_on})), "S3-01")
	f.passes(deny(f.doc_at("AWS::S3::Bucket", {"PublicAccessBlockConfiguration": all_on}, "runtime")), "S3-01")
}

test_bpa_string_flags_pass_s301 if {
	flags := {"BlockPublicAcls": "true", "IgnorePublicAcls": "TRUE", "BlockPublicPolicy": true, "RestrictPublicBuckets": "True"}
	f.passes(deny(bucket({"PublicAccessBlockConfiguration": flags})), "S3-01")
}

test_bpa_flag_false_fails_s301 if {
	vs := deny(bucket({"PublicAccessBlockConfiguration": object.union(all_on, {"BlockPublicPolicy": false})}))
	f.fails(vs, "S3-01", "PublicAccessBlockConfiguration.BlockPublicPolicy")
	count(f.of(vs, "S3-01")) == 1
}

test_bpa_omitted_flag_in_present_configuration_fails_s301 if {
	vs := deny(bucket({"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "IgnorePublicAcls": true}}))
	f.fails(vs, "S3-01", "PublicAccessBlockConfiguration.BlockPublicPolicy")
	f.fails(vs, "S3-01", "PublicAccessBlockConfiguration.RestrictPublicBuckets")
	count(f.of(vs, "S3-01")) == 2
}

test_bpa_unknown_configuration_is_unknown_s301 if {
	d := f.doc_unknown("AWS::S3::Bucket", {"PublicAccessBlockConfiguration": "<unknown: Fn::If>"}, ["PublicAccessBlockConfiguration"])
	f.unknown(deny(d), "S3-01", "PublicAccessBlockConfiguration")
}

test_bpa_unknown_flag_is_unknown_s301 if {
	d := f.doc_unknown(
		"AWS::S3::Bucket",
		{"PublicAccessBlockConfiguration": object.union(all_on, {"IgnorePublicAcls": "<unknown: Ref Flag>"})},
		["PublicAccessBlockConfiguration.IgnorePublicAcls"],
	)
	vs := deny(d)
	f.unknown(vs, "S3-01", "PublicAccessBlockConfiguration.IgnorePublicAcls")
	count(f.of(vs, "S3-01")) == 1
}

# ---------------------------------------------------------------------------
# S3-02 No public ACL
# ---------------------------------------------------------------------------

test_public_canned_acls_fail_s302 if {
	every acl in ["PublicRead", "PublicReadWrite", "AuthenticatedRead", "public-read", "public-read-write"] {
		f.fails(deny(bucket({"AccessControl": acl})), "S3-02", "AccessControl")
	}
}

test_private_canned_acls_pass_s302 if {
	every acl in ["Private", "BucketOwnerFullControl", "LogDeliveryWrite", "AwsExecRead"] {
		f.passes(deny(bucket({"AccessControl": acl})), "S3-02")
	}
	f.passes(deny(bucket({})), "S3-02")
}

test_grant_to_all_users_fails_s302 if {
	grants := [
		{"Grantee": {"Type": "CanonicalUser", "ID": "owner"}, "Permission": "FULL_CONTROL"},
		{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"},
	]
	vs := deny(bucket({"AccessControlPolicy": {"Grants": grants}}))
	f.fails(vs, "S3-02", "AccessControlPolicy.Grants.1.Grantee.URI")
	count(f.of(vs, "S3-02")) == 1
}

test_grant_to_authenticated_users_fails_s302 if {
	grants := [{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}, "Permission": "WRITE"}]
	f.fails(deny(bucket({"AccessControlPolicy": {"Grants": grants}})), "S3-02", "AccessControlPolicy.Grants.0.Grantee.URI")
}

test_grant_to_log_delivery_passes_s302 if {
	grants := [{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"}, "Permission": "WRITE"}]
	f.passes(deny(bucket({"AccessControlPolicy": {"Grants": grants}})), "S3-02")
}

test_unknown_acl_is_unknown_s302 if {
	d := f.doc_unknown("AWS::S3::Bucket", {"AccessControl": "<unknown: Ref Acl>"}, ["AccessControl"])
	f.unknown(deny(d), "S3-02", "AccessControl")
}

# ---------------------------------------------------------------------------
# S3-03 No public bucket policy
# ---------------------------------------------------------------------------

test_allow_everyone_without_condition_fails_s303 if {
	vs := deny(bucket({"Policy": policy([tls_statement, allow_all({})])}))
	f.fails(vs, "S3-03", "Policy.Statement.1")
	count(f.of(vs, "S3-03")) == 1
}

# public_statement's branch for Principal {"AWS": "*"} gives what the general
# analysis (effect, principal_class, condition_class, statement_verdict) gives.
test_aws_wildcard_fast_path_equals_general_analysis_s303 if {
	some stmt in [
		allow_all({"Principal": {"AWS": "*"}}),
		allow_all({"Principal": {"AWS": "*"}, "Sid": "PublicRead", "Action": ["s3:GetObject", "s3:ListBucket"]}),
	]
	s := {"path": "Policy.Statement.1", "stmt": stmt}
	fast := data.guardrails.checks.s3.public_statement("S3-03", "bucket policy", s, ["BucketName"])
	general := data.guardrails.checks.s3.statement_verdict(
		"S3-03", "bucket policy", s,
		data.guardrails.lib.iam.effect(s, ["BucketName"]),
		data.guardrails.lib.iam.principal_class(s, ["BucketName"]),
		data.guardrails.lib.iam.condition_class(s, ["BucketName"]),
	)
	fast == general
	contains(fast.message, "(Principal {AWS: *})")
	not fast.unknown
}

test_aws_wildcard_with_unknown_parts_is_not_the_fast_path_s303 if {
	s := {"path": "Policy.Statement.0", "stmt": allow_all({"Principal": {"AWS": "*"}})}
	v := data.guardrails.checks.s3.public_statement("S3-03", "bucket policy", s, ["Policy.Statement.0.Condition"])
	v.unknown == true
	w := data.guardrails.checks.s3.public_statement("S3-03", "bucket policy", s, ["Policy.Statement"])
	w.unknown == true
}

test_allow_aws_wildcard_principal_fails_s303 if {
	f.fails(deny(bucket({"Policy": policy([allow_all({"Principal": {"AWS": "*"}})])})), "S3-03", "Policy.Statement.0")
	f.fails(
		deny(bucket({"Policy": policy([allow_all({"Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"]}})])})),
		"S3-03", "Policy.Statement.0",
	)
}

test_single_statement_object_is_read_s303 if {
	f.fails(deny(bucket({"Policy": {"Statement": allow_all({})}})), "S3-03", "Policy.Statement")
}

test_deny_everyone_is_not_public_s303 if {
	deny_all := {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}
	f.passes(deny(bucket({"Policy": policy([tls_statement, deny_all])})), "S3-03")
}

test_allow_everyone_restricted_by_condition_is_not_public_s303 if {
	every cond in [
		{"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c"}},
		{"StringEquals": {"aws:SourceVpc": ["vpc-1"]}},
		{"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
		{"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}},
		{"StringEquals": {"aws:PrincipalAccount": "111122223333"}},
		{"StringEquals": {"AWS:SourceAccount": "111122223333"}},
		{"ArnEquals": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"}},
		{"IpAddress": {"aws:SourceIp": ["192.0.2.0/24"]}},
	] {
		f.passes(deny(bucket({"Policy": policy([allow_all({"Condition": cond})])})), "S3-03")
	}
}

test_non_restricting_conditions_stay_public_s303 if {
	every cond in [
		{"StringNotEquals": {"aws:SourceVpce": "vpce-1"}},
		{"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}},
		{"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ["o-1"]}},
		{"StringLike": {"aws:SourceArn": "*"}},
		{"StringLike": {"aws:SourceVpce": "vpce-*"}},
		{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
		{"StringEquals": {"aws:PrincipalAccount": "${aws:username}"}},
		{"StringEquals": {"s3:prefix": "public/"}},
		{"Bool": {"aws:SecureTransport": "true"}},
	] {
		f.fails(deny(bucket({"Policy": policy([allow_all({"Condition": cond})])})), "S3-03", "Policy.Statement.0")
	}
}

test_service_or_account_principal_is_not_public_s303 if {
	service := allow_all({"Principal": {"Service": "logging.s3.amazonaws.com"}})
	account := allow_all({"Principal": {"AWS": "arn:aws:iam::111122223333:root"}})
	f.passes(deny(bucket({"Policy": policy([service, account])})), "S3-03")
}

test_allow_with_not_principal_is_public_s303 if {
	st := object.remove(allow_all({"NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}), ["Principal"])
	f.fails(deny(bucket({"Policy": policy([st])})), "S3-03", "Policy.Statement.0")
}

test_unknown_principal_is_unknown_s303 if {
	d := f.doc_unknown(
		"AWS::S3::Bucket",
		{"Policy": policy([allow_all({"Principal": {"AWS": "<unknown: Ref Reader>"}})])},
		["Policy.Statement.0.Principal.AWS"],
	)
	vs := deny(d)
	f.unknown(vs, "S3-03", "Policy.Statement.0")
	not f.fails(vs, "S3-03", "Policy.Statement.0")
}

test_public_principal_is_quoted_the_same_on_every_engine_s303 if {
	# OPA's json.marshal escapes <, > and & (regorus does not); the message must not depend on the engine.
	st := allow_all({"Principal": {"AWS": ["*", "<unknown specific: AWS::AccountId>"], "Federated": "a&b"}})
	some v in deny(bucket({"Policy": policy([st])}))
	v.control == "S3-03"
	contains(v.message, `(Principal {AWS: *, <unknown specific: AWS::AccountId>; Federated: a&b})`)
}

test_specific_unknown_principal_is_not_public_s303 if {
	oai := "<unknown specific: Fn::Sub (Ref CloudFrontOriginAccessIdentity)>"
	d := f.doc_unknown(
		"AWS::S3::Bucket",
		{"Policy": policy([allow_all({"Principal": {"AWS": oai}}), allow_all({"Principal": {"CanonicalUser": "<unknown: GetAtt Oai.S3CanonicalUserId>"}})])},
		["Policy.Statement.0.Principal.AWS", "Policy.Statement.1.Principal.CanonicalUser"],
	)
	f.passes(deny(d), "S3-03")
}

test_specific_unknown_condition_value_restricts_s303 if {
	cond := {"StringEquals": {"aws:SourceVpce": "<unknown specific: Ref S3Endpoint>"}}
	d := f.doc_unknown(
		"AWS::S3::Bucket",
		{"Policy": policy([allow_all({"Condition": cond})])},
		["Policy.Statement.0.Condition.StringEquals.aws:SourceVpce"],
	)
	f.passes(deny(d), "S3-03")
}

test_unknown_condition_value_is_unknown_s303 if {
	d := f.doc_unknown(
		"AWS::S3::Bucket",
		{"Policy": policy([allow_all({"Condition": {"StringEquals": {"aws:SourceVpce": "<unknown: Ref Endpoint>"}}})])},
		["Policy.Statement.0.Condition.StringEquals.aws:SourceVpce"],
	)
	f.unknown(deny(d), "S3-03", "Policy.Statement.0")
}

test_unknown_policy_is_unknown_s303 if {
	d := f.doc_unknown("AWS::S3::Bucket", {"Policy": "<unknown: Fn::Sub>"}, ["Policy"])
	f.unknown(deny(d), "S3-03", "Policy")
}

test_known_restriction_beats_unknown_extra_condition_s303 if {
	cond := {"StringEquals": {"aws:SourceVpce": "vpce-1", "aws:SourceAccount": "<unknown: Ref Acct>"}}
	d := f.doc_unknown(
		"AWS::S3::Bucket",
		{"Policy": policy([allow_all({"Condition": cond})])},
		["Policy.Statement.0.Condition.StringEquals.aws:SourceAccount"],
	)
	f.passes(deny(d), "S3-03")
}

test_policy_as_json_string_is_read_s303 if {
	f.fails(deny(bucket({"Policy": json.marshal(policy([allow_all({})]))})), "S3-03", "Policy.Statement.0")
}

# ---------------------------------------------------------------------------
# S3-04 Default encryption with a KMS key
# ---------------------------------------------------------------------------

test_kms_encryption_passes_s304 if {
	f.passes(deny(bucket({"BucketEncryption": kms})), "S3-04")
	dsse := {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:dsse", "KMSMasterKeyID": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}]}
	f.passes(deny(bucket({"BucketEncryption": dsse})), "S3-04")
	alias := {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/my-key"}}]}
	f.passes(deny(bucket({"BucketEncryption": alias})), "S3-04")
}

for_key(key) := {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": object.union({"SSEAlgorithm": "aws:kms"}, key)}]}

test_kms_without_key_is_the_aws_managed_key_s304 if {
	vs := deny(bucket({"BucketEncryption": for_key({})}))
	f.fails(vs, "S3-04", "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.KMSMasterKeyID")
	f.says(vs, "S3-04", "AWS managed key aws/s3")
	ws := deny(bucket({"BucketEncryption": for_key({"KMSMasterKeyID": ""})}))
	f.fails(ws, "S3-04", "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.KMSMasterKeyID")
	dsse := {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:dsse"}}]}
	f.fails(deny(bucket({"BucketEncryption": dsse})), "S3-04", "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.KMSMasterKeyID")
}

test_aws_managed_key_fails_s304 if {
	every key in ["alias/aws/s3", "arn:aws:kms:eu-west-1:111122223333:alias/aws/s3", "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/aws/s3"] {
		vs := deny(bucket({"BucketEncryption": for_key({"KMSMasterKeyID": key})}))
		f.fails(vs, "S3-04", "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.KMSMasterKeyID")
		f.says(vs, "S3-04", "is an AWS managed key")
		count(f.of(vs, "S3-04")) == 1
	}
}

test_unknown_key_counts_as_set_s304 if {
	enc := {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "<unknown: Ref KeyParam>"}}]}
	d := f.doc_unknown("AWS::S3::Bucket", {"BucketEncryption": enc}, ["BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.KMSMasterKeyID"])
	f.passes(deny(d), "S3-04")
}

test_absent_encryption_fails_s304 if {
	vs := deny(bucket({}))
	f.fails(vs, "S3-04", "BucketEncryption")
	f.says(vs, "S3-04", "SSE-S3 (AES256)")
}

test_sse_s3_fails_s304 if {
	aes := {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
	f.fails(deny(bucket({"BucketEncryption": aes})), "S3-04", "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.SSEAlgorithm")
}

test_unknown_algorithm_is_unknown_s304 if {
	enc := {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "<unknown: Ref Algo>"}}]}
	d := f.doc_unknown(
		"AWS::S3::Bucket", {"BucketEncryption": enc},
		["BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.SSEAlgorithm"],
	)
	f.unknown(deny(d), "S3-04", "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.SSEAlgorithm")
}

test_unknown_encryption_is_unknown_s304 if {
	d := f.doc_unknown("AWS::S3::Bucket", {"BucketEncryption": "<unknown: Fn::If>"}, ["BucketEncryption"])
	f.unknown(deny(d), "S3-04", "BucketEncryption")
}

# ---------------------------------------------------------------------------
# S3-05 TLS-only access (warn)
# ---------------------------------------------------------------------------

test_tls_deny_statement_passes_s305 if {
	f.passes(warn(bucket({"Policy": policy([tls_statement])})), "S3-05")
}

test_tls_deny_variants_pass_s305 if {
	every st in [
		object.union(tls_statement, {"Principal": {"AWS": "*"}, "Action": ["s3:*"]}),
		object.union(tls_statement, {"Action": "*", "Condition": {"BoolIfExists": {"aws:securetransport": false}}}),
		object.union(tls_statement, {"Effect": "deny", "Condition": {"Bool": {"AWS:SecureTransport": ["false"]}}}),
	] {
		f.passes(warn(bucket({"Policy": policy([allow_all({"Principal": {"Service": "x"}}), st])})), "S3-05")
	}
}

test_no_policy_fails_s305 if {
	f.fails(warn(bucket({})), "S3-05", "Policy")
	f.passes(deny(bucket({})), "S3-05")
}

test_deny_without_secure_transport_condition_fails_s305 if {
	st := object.remove(tls_statement, ["Condition"])
	f.fails(warn(bucket({"Policy": policy([st])})), "S3-05", "Policy")
}

test_deny_of_some_actions_only_fails_s305 if {
	st := object.union(tls_statement, {"Action": ["s3:GetObject", "s3:PutObject"]})
	f.fails(warn(bucket({"Policy": policy([st])})), "S3-05", "Policy")
}

test_unknown_policy_is_unknown_s305 if {
	d := f.doc_unknown("AWS::S3::Bucket", {"Policy": "<unknown: Fn::Sub>"}, ["Policy"])
	f.unknown(warn(d), "S3-05", "Policy")
}

test_unknown_part_of_a_deny_statement_is_unknown_s305 if {
	st := object.union(tls_statement, {"Condition": {"Bool": {"aws:SecureTransport": "<unknown: Ref Tls>"}}})
	d := f.doc_unknown("AWS::S3::Bucket", {"Policy": policy([st])}, ["Policy.Statement.0.Condition.Bool.aws:SecureTransport"])
	f.unknown(warn(d), "S3-05", "Policy.Statement")
}

# ---------------------------------------------------------------------------
# S3-06 Account-level Block Public Access fully on (scan and runtime only)
# ---------------------------------------------------------------------------

account(props, point) := f.doc_at("AWS::S3::AccountPublicAccessBlock", props, point)

test_account_bpa_all_on_passes_s306 if {
	f.passes(deny(account({"PublicAccessBlockConfiguration": all_on}, "scan")), "S3-06")
}

test_account_bpa_missing_fails_s306 if {
	f.fails(deny(account({}, "scan")), "S3-06", "PublicAccessBlockConfiguration")
	f.fails(deny(account({}, "runtime")), "S3-06", "PublicAccessBlockConfiguration")
}

test_account_bpa_flag_off_fails_s306 if {
	vs := deny(account({"PublicAccessBlockConfiguration": object.union(all_on, {"RestrictPublicBuckets": false})}, "runtime"))
	f.fails(vs, "S3-06", "PublicAccessBlockConfiguration.RestrictPublicBuckets")
	count(vs) == 1
}

test_account_bpa_is_judged_only_at_scan_and_runtime_s306 if {
	count(deny(account({}, "pre-deploy"))) == 0
	count(deny(account({}, "admission"))) == 0
}

test_account_bpa_unknown_is_unknown_s306 if {
	d := {
		"resource": {"type": "AWS::S3::AccountPublicAccessBlock", "name": "111122223333", "properties": {"PublicAccessBlockConfiguration": "<unknown: omitted>"}},
		"context": {"point": "runtime", "unknown": ["PublicAccessBlockConfiguration"]},
	}
	f.unknown(deny(d), "S3-06", "PublicAccessBlockConfiguration")
}

# ---------------------------------------------------------------------------
# Whole-bucket cases
# ---------------------------------------------------------------------------

test_compliant_bucket_has_no_findings if {
	props := {
		"BucketName": "b",
		"PublicAccessBlockConfiguration": all_on,
		"BucketEncryption": kms,
		"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
		"Policy": policy([tls_statement, allow_all({"Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}})]),
	}
	d := f.doc_at("AWS::S3::Bucket", props, "runtime")
	count(deny(d)) == 0
	count(warn(d)) == 0
}

test_s3_controls_ignore_other_resource_types if {
	count(deny(f.doc("AWS::SageMaker::NotebookInstance", {}))) == 0
	count(warn(f.doc("AWS::SageMaker::NotebookInstance", {}))) == 0
}
