package guardrails.tests.s3_access_test

# S3-07 (ACLs disabled) and S3-08 (access points block public access).

import data.guardrails.tests.fixtures_test as f
import rego.v1

deny(d) := vs if {
	vs := data.guardrails.rules.s3.deny with input as d
}

warn(d) := vs if {
	vs := data.guardrails.rules.s3.warn with input as d
}

ownership(o) := {"OwnershipControls": {"Rules": [{"ObjectOwnership": o}]}}

# --- S3-07 -----------------------------------------------------------------------

test_bucket_owner_enforced_passes_s307 if {
	f.passes(warn(f.doc("AWS::S3::Bucket", ownership("BucketOwnerEnforced"))), "S3-07")
	f.passes(warn(f.doc_at("AWS::S3::Bucket", ownership("BucketOwnerEnforced"), "runtime")), "S3-07")
}

test_absent_ownership_controls_pass_before_deploy_and_fail_at_runtime_s307 if {
	f.passes(warn(f.doc("AWS::S3::Bucket", {})), "S3-07")
	f.passes(warn(f.doc_at("AWS::S3::Bucket", {}, "admission")), "S3-07")
	f.fails(warn(f.doc_at("AWS::S3::Bucket", {}, "runtime")), "S3-07", "OwnershipControls")
	f.fails(warn(f.doc_at("AWS::S3::Bucket", {}, "scan")), "S3-07", "OwnershipControls")
}

test_acls_enabled_fail_s307 if {
	every o in ["BucketOwnerPreferred", "ObjectWriter"] {
		vs := warn(f.doc("AWS::S3::Bucket", ownership(o)))
		f.fails(vs, "S3-07", "OwnershipControls.Rules.0.ObjectOwnership")
		f.says(vs, "S3-07", o)
	}
	f.fails(warn(f.doc("AWS::S3::Bucket", {"OwnershipControls": {"Rules": []}})), "S3-07", "OwnershipControls.Rules")
	f.fails(warn(f.doc("AWS::S3::Bucket", {"OwnershipControls": {"Rules": [{}]}})), "S3-07", "OwnershipControls.Rules.0.ObjectOwnership")
}

test_unknown_ownership_is_unknown_s307 if {
	d := f.doc_unknown("AWS::S3::Bucket", ownership("<unknown: Ref Ownership>"), ["OwnershipControls.Rules.0.ObjectOwnership"])
	f.unknown(warn(d), "S3-07", "OwnershipControls.Rules.0.ObjectOwnership")
	e := f.doc_unknown("AWS::S3::Bucket", {"OwnershipControls": "<unknown: not part of the PutBucketPolicy request>"}, ["OwnershipControls"])
	f.unknown(warn(e), "S3-07", "OwnershipControls")
}

test_s307_is_a_warning_not_a_deny if {
	f.passes(deny(f.doc_at("AWS::S3::Bucket", ownership("ObjectWriter"), "runtime")), "S3-07")
}

# --- S3-08 -----------------------------------------------------------------------

access_point(props) := f.doc("AWS::S3::AccessPoint", object.union({"Bucket": "b", "Name": "reports"}, props))

all_on := {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}

test_access_point_with_defaults_passes_s308 if {
	f.passes(deny(access_point({})), "S3-08")
	f.passes(deny(access_point({"PublicAccessBlockConfiguration": all_on})), "S3-08")
	vpc := {"VpcConfiguration": {"VpcId": "vpc-111bbb22"}, "PublicAccessBlockConfiguration": all_on}
	f.passes(deny(access_point(vpc)), "S3-08")
}

test_access_point_flag_off_fails_s308 if {
	vs := deny(access_point({"PublicAccessBlockConfiguration": object.union(all_on, {"RestrictPublicBuckets": false})}))
	f.fails(vs, "S3-08", "PublicAccessBlockConfiguration.RestrictPublicBuckets")
	count(f.of(vs, "S3-08")) == 1
	ws := deny(access_point({"PublicAccessBlockConfiguration": {}}))
	count(f.of(ws, "S3-08")) == 4
}

test_access_point_unknown_flag_is_unknown_s308 if {
	d := f.doc_unknown(
		"AWS::S3::AccessPoint",
		{"PublicAccessBlockConfiguration": object.union(all_on, {"BlockPublicPolicy": "<unknown: Ref Flag>"})},
		["PublicAccessBlockConfiguration.BlockPublicPolicy"],
	)
	f.unknown(deny(d), "S3-08", "PublicAccessBlockConfiguration.BlockPublicPolicy")
}

ap_statement(extra) := object.union({
	"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
	"Resource": "arn:aws:s3:us-east-1:111122223333:accesspoint/reports/object/*",
}, extra)

test_public_access_point_policy_fails_s308 if {
	vs := deny(access_point({"Policy": {"Statement": [ap_statement({})]}}))
	f.fails(vs, "S3-08", "Policy.Statement.0")
	f.says(vs, "S3-08", "access point policy is public")
	f.passes(vs, "S3-03")
}

test_restricted_access_point_policy_passes_s308 if {
	cond := {"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
	f.passes(deny(access_point({"Policy": {"Statement": [ap_statement(cond)]}})), "S3-08")
	role := {"Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"}}
	f.passes(deny(access_point({"Policy": {"Statement": [ap_statement(role)]}})), "S3-08")
}

test_unparsable_access_point_policy_is_unknown_s308 if {
	f.unknown(deny(access_point({"Policy": "{not json"})), "S3-08", "Policy")
}

test_access_point_is_not_judged_as_a_bucket if {
	vs := deny(access_point({"PublicAccessBlockConfiguration": {}}))
	f.passes(vs, "S3-01")
	f.passes(vs, "S3-04")
}
