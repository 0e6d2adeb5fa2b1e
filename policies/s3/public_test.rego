package guardrails.tests.s3_public_test

# S3's own meaning of "public" (S3-03), the empty public access block (S3-01),
# unparsable policies and the TLS Deny's resources (S3-05).

import data.guardrails.tests.fixtures_test as f
import rego.v1

deny(d) := vs if {
	vs := data.guardrails.rules.s3.deny with input as d
}

warn(d) := vs if {
	vs := data.guardrails.rules.s3.warn with input as d
}

bucket(props) := f.doc("AWS::S3::Bucket", object.union({"BucketName": "b"}, props))

policy(statements) := {"Version": "2012-10-17", "Statement": statements}

allow_all(extra) := object.union({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}, extra)

public(st) if f.fails(deny(bucket({"Policy": policy([st])})), "S3-03", "Policy.Statement.0")

not_public(st) if f.passes(deny(bucket({"Policy": policy([st])})), "S3-03")

# --- principals ----------------------------------------------------------------

test_every_public_principal_form_fails_s303 if {
	every p in [
		"*",
		{"AWS": "*"},
		{"AWS": ["arn:aws:iam::111122223333:root", "*"]},
		{"AWS": "arn:aws:iam::*:root"},
		{"CanonicalUser": "*"},
		{"Federated": "cognito-identity.amazonaws.com"},
		{"Federated": "accounts.google.com"},
		{"Federated": ["arn:aws:iam::111122223333:saml-provider/corp", "graph.facebook.com"]},
		{"Service": "*"},
	] {
		public(allow_all({"Principal": p}))
	}
}

test_fixed_principals_are_not_public_s303 if {
	every p in [
		{"AWS": "arn:aws:iam::111122223333:role/reader"},
		{"AWS": ["111122223333", "arn:aws:iam::444455556666:root"]},
		{"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
		{"Federated": "arn:aws:iam::111122223333:saml-provider/corp"},
		{"Service": "cloudfront.amazonaws.com"},
		{"AWS": "arn:aws:iam::111122223333:role/a", "Service": "logging.s3.amazonaws.com"},
	] {
		not_public(allow_all({"Principal": p}))
	}
}

test_not_principal_with_allow_stays_public_s303 if {
	st := object.remove(allow_all({"NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}), ["Principal"])
	public(st)
	vs := deny(bucket({"Policy": policy([st])}))
	f.says(vs, "S3-03", "NotPrincipal")
	# A NotPrincipal Allow restricted by a fixed aws:SourceVpce is not public.
	not_public(object.union(st, {"Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}))
}

test_unknown_federated_principal_is_unknown_s303 if {
	d := f.doc_unknown("AWS::S3::Bucket", {"BucketName": "b", "Policy": policy([allow_all({"Principal": {"Federated": "<unknown: Ref Provider>"}})])}, ["Policy.Statement.0.Principal.Federated"])
	f.unknown(deny(d), "S3-03", "Policy.Statement.0")
}

# --- restricting conditions -----------------------------------------------------

test_fixed_values_of_every_listed_key_restrict_s303 if {
	every cond in [
		{"StringEquals": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"}},
		{"ArnLike": {"aws:SourceArn": "arn:aws:s3:::source-bucket"}},
		{"StringEquals": {"aws:SourceVpc": "vpc-111bbb22"}},
		{"StringEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d", "vpce-5e6f7a8b"]}},
		{"StringEquals": {"aws:SourceOwner": "111122223333"}},
		{"StringEquals": {"aws:SourceAccount": 111122223333}},
		{"StringEquals": {"aws:PrincipalAccount": "111122223333"}},
		{"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
		{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/reader"}},
		{"StringEquals": {"aws:userid": "AIDAEXAMPLEUSERID"}},
		{"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}},
		{"StringEquals": {"s3:DataAccessPointArn": "arn:aws:s3:us-east-1:111122223333:accesspoint/reports"}},
		{"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:us-west-2:111122223333:accesspoint/*"}},
		{"StringEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
		{"ForAnyValue:StringEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d"]}},
		{"StringEqualsIgnoreCase": {"aws:PrincipalOrgID": "O-A1B2C3D4E5"}},
		{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
		{"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.7"]}},
		{"IpAddress": {"aws:SourceIp": "2001:db8::/32"}},
		{"IpAddress": {"aws:SourceIp": "2001:db8:1234::/48"}},
	] {
		not_public(allow_all({"Condition": cond}))
	}
}

test_access_point_delegation_passes_s303 if {
	# The delegation pattern of the S3 User Guide: every action to everyone, for
	# requests through this account's access points only.
	st := {
		"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*",
		"Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
		"Condition": {"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}},
	}
	not_public(st)
}

test_values_that_do_not_pin_are_public_s303 if {
	every cond in [
		{"StringLike": {"aws:SourceVpc": "vpc-*"}},
		{"StringLike": {"aws:SourceVpce": "vpce-1a2b3c4?"}},
		{"StringEquals": {"aws:SourceOwner": "*"}},
		{"StringEquals": {"aws:SourceAccount": ["111122223333", "*"]}},
		{"StringLike": {"aws:userid": "AROAEXAMPLEROLEID:*"}},
		{"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/x"}},
		{"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:us-west-2:*:accesspoint/*"}},
		{"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:*:111122223333:accesspoint/*"}},
	] {
		public(allow_all({"Condition": cond}))
	}
}

test_operators_that_do_not_pin_are_public_s303 if {
	every cond in [
		{"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
		{"StringNotLike": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
		{"ArnNotEquals": {"aws:SourceArn": "arn:aws:s3:::other"}},
		{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
		{"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
		{"ForAnyValue:StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
		{"IpAddressIfExists": {"aws:SourceIp": "203.0.113.0/24"}},
		{"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}},
		{"Null": {"aws:SourceVpce": "false"}},
		{"StringEquals": {"aws:SourceIp": "203.0.113.7"}},
		{"IpAddress": {"aws:SourceVpce": "203.0.113.7"}},
	] {
		public(allow_all({"Condition": cond}))
	}
}

test_source_ip_ranges_broader_than_the_limits_are_public_s303 if {
	every ips in [
		"0.0.0.0/0",
		"10.0.0.0/7",
		["0.0.0.0/1", "128.0.0.0/1"],
		["203.0.113.0/24", "0.0.0.0/4"],
		"::/0",
		"2001:db8::/31",
		"not-an-address",
		"10.0.0.*",
	] {
		public(allow_all({"Condition": {"IpAddress": {"aws:SourceIp": ips}}}))
	}
}

test_source_ip_ranges_that_jointly_cover_everything_are_public_s303 if {
	every_eighth := [sprintf("%d.0.0.0/8", [i]) | some i in numbers.range(0, 255)]
	public(allow_all({"Condition": {"IpAddress": {"aws:SourceIp": every_eighth}}}))
	all_but_one := [sprintf("%d.0.0.0/8", [i]) | some i in numbers.range(0, 254)]
	not_public(allow_all({"Condition": {"IpAddress": {"aws:SourceIp": all_but_one}}}))
}

test_unknown_source_ip_is_unknown_even_when_specific_s303 if {
	d := f.doc_unknown(
		"AWS::S3::Bucket",
		{"BucketName": "b", "Policy": policy([allow_all({"Condition": {"IpAddress": {"aws:SourceIp": "<unknown specific: Fn::Sub (Ref Prefix)>"}}})])},
		["Policy.Statement.0.Condition.IpAddress.aws:SourceIp"],
	)
	f.unknown(deny(d), "S3-03", "Policy.Statement.0")
}

test_a_pinning_entry_restricts_beside_open_ones_s303 if {
	not_public(allow_all({"Condition": {
		"StringLike": {"aws:SourceVpc": "vpc-*"},
		"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
	}}))
}

# --- policies that do not parse ------------------------------------------------

test_unparsable_policy_is_unknown_s303_s305 if {
	every p in ["{not json", "[]", "\"just a string\"", 42, ["Statement"]] {
		d := bucket({"Policy": p})
		f.unknown(deny(d), "S3-03", "Policy")
		f.unknown(warn(d), "S3-05", "Policy")
	}
}

test_policy_json_string_still_parses_s303 if {
	text := json.marshal(policy([allow_all({})]))
	f.fails(deny(bucket({"Policy": text})), "S3-03", "Policy.Statement.0")
}

# --- S3-01: an empty or partial configuration ----------------------------------

test_empty_public_access_block_fails_at_every_point_s301 if {
	every point in ["pre-deploy", "admission", "runtime"] {
		vs := deny(f.doc_at("AWS::S3::Bucket", {"PublicAccessBlockConfiguration": {}}, point))
		count(f.of(vs, "S3-01")) == 4
		f.fails(vs, "S3-01", "PublicAccessBlockConfiguration.BlockPublicAcls")
		f.fails(vs, "S3-01", "PublicAccessBlockConfiguration.RestrictPublicBuckets")
	}
}

test_partial_public_access_block_fails_its_missing_flags_s301 if {
	vs := deny(bucket({"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true}}))
	f.fails(vs, "S3-01", "PublicAccessBlockConfiguration.RestrictPublicBuckets")
	count(f.of(vs, "S3-01")) == 1
}

test_empty_account_public_access_block_fails_s306 if {
	vs := deny(f.doc_at("AWS::S3::AccountPublicAccessBlock", {"PublicAccessBlockConfiguration": {}}, "runtime"))
	count(f.of(vs, "S3-06")) == 4
}

# --- S3-05: the TLS Deny covers this bucket and its objects ---------------------

tls(resources) := {
	"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": resources,
	"Condition": {"Bool": {"aws:SecureTransport": "false"}},
}

test_tls_deny_covering_the_bucket_passes_s305 if {
	every resources in [
		["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
		["arn:aws-us-gov:s3:::b", "arn:aws-us-gov:s3:::b/*"],
		["arn:aws-cn:s3:::b*"],
		"*",
		["arn:aws:s3:::*"],
		["arn:*:s3:::b", "arn:*:s3:::b/*"],
		["arn:aws:s3:::?", "arn:aws:s3:::b/*"],
	] {
		f.passes(warn(bucket({"Policy": policy([tls(resources)])})), "S3-05")
	}
}

test_tls_deny_not_covering_the_bucket_fails_s305 if {
	every resources in [
		["arn:aws:s3:::b/*"],
		["arn:aws:s3:::b"],
		["arn:aws:s3:::other", "arn:aws:s3:::other/*"],
		["arn:aws:s3:::b", "arn:aws:s3:::b/private/*"],
		["arn:aws:s3:::b", "arn:aws:s3:::b/?"],
		["arn:aws:s3:::b.c", "arn:aws:s3:::b.c/*"],
		[],
	] {
		f.fails(warn(bucket({"Policy": policy([tls(resources)])})), "S3-05", "Policy")
	}
}

test_tls_deny_with_unknown_bucket_name_s305 if {
	# A generated name: a wildcard resource still covers it, a literal one cannot be decided.
	d := f.doc("AWS::S3::Bucket", {"Policy": policy([tls(["arn:aws:s3:::*"])])})
	f.passes(warn(d), "S3-05")
	e := f.doc("AWS::S3::Bucket", {"Policy": policy([tls(["arn:aws:s3:::b", "arn:aws:s3:::b/*"])])})
	f.unknown(warn(e), "S3-05", "Policy.Statement")
}

test_tls_deny_with_unknown_resource_is_unknown_s305 if {
	d := f.doc_unknown(
		"AWS::S3::Bucket",
		{"BucketName": "b", "Policy": policy([tls(["<unknown specific: Fn::Sub (Ref AWS::Partition)>", "<unknown specific: Fn::Sub (Ref AWS::Partition)>"])])},
		["Policy.Statement.0.Resource.0", "Policy.Statement.0.Resource.1"],
	)
	f.unknown(warn(d), "S3-05", "Policy.Statement")
}

test_deny_that_cannot_be_the_tls_deny_is_not_unknown_s305 if {
	vpce := {
		"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
		"Condition": {"StringNotEquals": {"aws:SourceVpce": "<unknown: Ref Endpoint>"}},
	}
	d := f.doc_unknown("AWS::S3::Bucket", {"BucketName": "b", "Policy": policy([vpce])}, ["Policy.Statement.0.Condition.StringNotEquals.aws:SourceVpce"])
	f.fails(warn(d), "S3-05", "Policy")
	# An Allow with unknown parts cannot be the TLS Deny either.
	allow := {"Effect": "Allow", "Principal": {"AWS": "<unknown: Ref Reader>"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
	e := f.doc_unknown("AWS::S3::Bucket", {"BucketName": "b", "Policy": policy([allow])}, ["Policy.Statement.0.Principal.AWS"])
	f.fails(warn(e), "S3-05", "Policy")
	# A Deny whose SecureTransport value is unknown could be.
	unk := object.union(tls(["arn:aws:s3:::b", "arn:aws:s3:::b/*"]), {"Condition": {"Bool": {"aws:SecureTransport": "<unknown: Ref Flag>"}}})
	g := f.doc_unknown("AWS::S3::Bucket", {"BucketName": "b", "Policy": policy([unk])}, ["Policy.Statement.0.Condition.Bool.aws:SecureTransport"])
	f.unknown(warn(g), "S3-05", "Policy.Statement")
}

test_tls_deny_naming_the_bucket_by_its_placeholder_name_s305 if {
	# The CloudFormation source writes Resources that reference their own bucket with the
	# bucket's placeholder name: they cover it, whatever the name will be.
	name := "<unknown specific: name CloudFormation generates for Bucket>"
	arn := concat("", ["arn:aws:s3:::", name])
	d := f.doc_unknown("AWS::S3::Bucket", {"BucketName": name, "Policy": policy([tls([arn, concat("", [arn, "/*"])])])}, ["BucketName"])
	f.passes(warn(d), "S3-05")
	objects_only := f.doc_unknown("AWS::S3::Bucket", {"BucketName": name, "Policy": policy([tls([concat("", [arn, "/*"])])])}, ["BucketName"])
	f.fails(warn(objects_only), "S3-05", "Policy")
	other := f.doc_unknown("AWS::S3::Bucket", {"BucketName": name, "Policy": policy([tls(["arn:aws:s3:::acme", "arn:aws:s3:::acme/*"])])}, ["BucketName"])
	f.unknown(warn(other), "S3-05", "Policy.Statement")
}
