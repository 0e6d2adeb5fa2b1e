package guardrails.tests.fast_paths_test

# The checks test the common passing case first with plain references (see the
# performance note in lib/core.rego). These tests pin the boundary of each fast
# path: the literal passing value is there, but something at, above or below it is
# listed as unknown, so the general analysis must still decide.

import data.guardrails.tests.fixtures_test as f
import rego.v1

findings(d) := vs if {
	vs := data.guardrails.main.findings with input as d
}

all_on := {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}

kms := {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k"}}]}

tls := {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}

role_allow := {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/r"}, "Action": "s3:GetObject"}

bucket(statements, unk) := f.doc_unknown("AWS::S3::Bucket", {
	"BucketName": "b",
	"PublicAccessBlockConfiguration": all_on,
	"BucketEncryption": kms,
	"Policy": {"Statement": statements},
}, unk)

test_listed_prefix_is_not_a_dot_boundary if {
	# "Policy.Statement.1" is a string prefix of "Policy.Statement.10" but does not cover it.
	statements := [tls, role_allow, role_allow, role_allow, role_allow, role_allow, role_allow, role_allow, role_allow, role_allow, role_allow]
	count(findings(bucket(statements, []))) == 0
	vs := findings(bucket(statements, ["Policy.Statement.1"]))
	f.unknown(vs, "S3-03", "Policy.Statement.1")
	count(vs) == 1
	ws := findings(bucket(statements, ["Policy.Statement.10.Principal"]))
	f.unknown(ws, "S3-03", "Policy.Statement.10")
	count(ws) == 1
}

test_listed_tls_statement_is_not_the_fast_tls_deny_s305 if {
	f.unknown(findings(bucket([tls], ["Policy.Statement.0"])), "S3-05", "Policy.Statement")
	f.passes(findings(bucket([tls], ["Policy.Statement.0.Resource"])), "S3-05")
}

test_listed_deny_effect_is_not_a_known_deny_s303 if {
	vs := findings(bucket([object.union(tls, {"Condition": {}})], ["Policy.Statement.0.Effect"]))
	f.unknown(vs, "S3-03", "Policy.Statement.0")
}

test_listed_role_principal_is_unknown_s303 if {
	f.passes(findings(bucket([tls, role_allow], [])), "S3-03")
	f.unknown(findings(bucket([tls, role_allow], ["Policy.Statement.1.Principal"])), "S3-03", "Policy.Statement.1")
	f.unknown(findings(bucket([tls, role_allow], ["Policy.Statement.1.Principal.AWS"])), "S3-03", "Policy.Statement.1")
	f.unknown(findings(bucket([tls, role_allow], ["Policy.Statement.1.NotPrincipal"])), "S3-03", "Policy.Statement.1")
}

test_listed_block_public_access_flag_is_unknown_s301 if {
	f.unknown(findings(bucket([tls], ["PublicAccessBlockConfiguration.IgnorePublicAcls"])), "S3-01", "PublicAccessBlockConfiguration.IgnorePublicAcls")
	f.passes(findings(bucket([tls], ["PublicAccessBlockConfigurationX"])), "S3-01")
}

notebook := {
	"SubnetId": "subnet-1", "SecurityGroupIds": ["sg-1"], "KmsKeyId": "k",
	"DirectInternetAccess": "Disabled", "RootAccess": "Disabled",
	"InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
}

test_listed_literal_notebook_values_are_unknown if {
	count(findings(f.doc("AWS::SageMaker::NotebookInstance", notebook))) == 0
	f.unknown(findings(f.doc_unknown("AWS::SageMaker::NotebookInstance", notebook, ["DirectInternetAccess"])), "SM-05", "DirectInternetAccess")
	f.unknown(findings(f.doc_unknown("AWS::SageMaker::NotebookInstance", notebook, ["RootAccess"])), "SM-18", "RootAccess")
	f.unknown(findings(f.doc_unknown("AWS::SageMaker::NotebookInstance", notebook, ["InstanceMetadataServiceConfiguration"])), "SM-20", "InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion")
	count(findings(f.doc_unknown("AWS::SageMaker::NotebookInstance", notebook, ["RootAccessX", "SubnetId", "KmsKeyId"]))) == 0
}

test_listed_literal_model_isolation_is_unknown_sm08 if {
	model := {"VpcConfig": {"Subnets": ["s"], "SecurityGroupIds": ["g"]}, "EnableNetworkIsolation": true}
	count(findings(f.doc("AWS::SageMaker::Model", model))) == 0
	f.unknown(findings(f.doc_unknown("AWS::SageMaker::Model", model, ["EnableNetworkIsolation"])), "SM-08", "EnableNetworkIsolation")
}

test_listed_literal_domain_access_type_is_unknown_sm06 if {
	domain := {"AppNetworkAccessType": "VpcOnly", "KmsKeyId": "k"}
	count(findings(f.doc("AWS::SageMaker::Domain", domain))) == 0
	f.unknown(findings(f.doc_unknown("AWS::SageMaker::Domain", domain, ["AppNetworkAccessType"])), "SM-06", "AppNetworkAccessType")
}

endpoint_config(variants, unk) := findings(f.doc_unknown("AWS::SageMaker::EndpointConfig", {"ProductionVariants": variants}, unk))

test_endpoint_config_storage_key_with_mixed_variants_sm13 if {
	instance := {"VariantName": "a", "ModelName": "m"}
	serverless := {"VariantName": "b", "ModelName": "m", "ServerlessConfig": {"MemorySizeInMB": 2048}}
	f.fails(endpoint_config([serverless, instance], []), "SM-13", "KmsKeyId")
	f.passes(endpoint_config([serverless], []), "SM-13")
	f.unknown(endpoint_config([serverless, instance], ["ProductionVariants.1.ServerlessConfig"]), "SM-13", "KmsKeyId")
	f.fails(endpoint_config([serverless, instance], ["ProductionVariants.1.ServerlessConfigX"]), "SM-13", "KmsKeyId")
	f.unknown(endpoint_config([instance], ["ProductionVariants.0"]), "SM-13", "KmsKeyId")
}

test_endpoint_config_capture_and_async_listed_unknown_sm13 if {
	base := {"ProductionVariants": [{"VariantName": "a", "ModelName": "m"}], "KmsKeyId": "k"}
	count(findings(f.doc("AWS::SageMaker::EndpointConfig", base))) == 0
	count(findings(f.doc_unknown("AWS::SageMaker::EndpointConfig", base, ["DataCaptureConfigX", "AsyncInferenceConfigX"]))) == 0
	count(findings(f.doc_unknown("AWS::SageMaker::EndpointConfig", base, ["DataCaptureConfig", "AsyncInferenceConfig"]))) == 0
	capture := object.union(base, {"DataCaptureConfig": {"EnableCapture": true}})
	f.fails(findings(f.doc("AWS::SageMaker::EndpointConfig", capture)), "SM-13", "DataCaptureConfig.KmsKeyId")
	vs := findings(f.doc_unknown("AWS::SageMaker::EndpointConfig", capture, ["DataCaptureConfig.EnableCapture"]))
	f.unknown(vs, "SM-13", "DataCaptureConfig.KmsKeyId")
}

# The first branch of tls_only reads a policy object with plain references. The
# same policy written as a JSON string never takes it (props.Policy.Statement is
# undefined), so the string form gives the general analysis: both must agree on
# every edge of the fast branch (unknown paths at, above and below the statement,
# placeholder, empty, absent or wrong-typed names, other spellings of the Deny).
tls_fast_cases := [
	{"n": "b", "st": [tls]},
	{"n": "<unknown specific: name CloudFormation generates for B>", "st": [{
		"Effect": "Deny", "Principal": "*", "Action": "s3:*",
		"Resource": ["arn:aws:s3:::<unknown specific: name CloudFormation generates for B>", "arn:aws:s3:::<unknown specific: name CloudFormation generates for B>/*"],
		"Condition": {"Bool": {"aws:SecureTransport": false}},
	}]},
	{"n": "b", "st": [role_allow, tls]},
	{"n": "b", "st": [tls, role_allow, role_allow, role_allow, role_allow, role_allow, role_allow, role_allow, role_allow, role_allow, tls]},
	{"n": "", "st": [tls]},
	{"n": null, "st": [tls]},
	{"n": 5, "st": [tls]},
	{"n": "c", "st": [tls]},
	{"n": "b", "st": [object.union(tls, {"Resource": "arn:aws:s3:::b/*"})]},
	{"n": "b", "st": [object.union(tls, {"Resource": ["arn:aws:s3:::b"]})]},
	{"n": "b", "st": [object.union(tls, {"Resource": ["arn:aws:s3:::*"]})]},
	{"n": "b", "st": [object.union(tls, {"Effect": "deny"})]},
	{"n": "b", "st": [object.union(tls, {"Principal": {"AWS": "*"}})]},
	{"n": "b", "st": [object.union(tls, {"Action": ["s3:*"]})]},
	{"n": "b", "st": [object.union(tls, {"Condition": {"Bool": {"aws:SecureTransport": "true"}}})]},
	{"n": "b", "st": [object.union(tls, {"Effect": "Allow"})]},
	{"n": "b", "st": [null, "<unknown specific: statement>", tls]},
	{"n": "b", "st": []},
]

tls_fast_unknowns := [
	[], [""], ["P"], ["Policy"], ["Policy.Statement"], ["Policy.Statement.0"], ["Policy.Statement.1"],
	["Policy.Statement.0.Resource"], ["Policy.Statement.0.Condition"], ["Policy.Statement.2"],
	["BucketName"], ["PolicyX"], ["Policy.Statement.10"],
]

test_tls_fast_branch_equals_general_analysis_s305 if {
	every c in tls_fast_cases {
		every unk in tls_fast_unknowns {
			props := {"BucketName": c.n, "Policy": {"Version": "2012-10-17", "Statement": c.st}}
			general := object.union(props, {"Policy": json.marshal(props.Policy)})
			data.guardrails.checks.s3.tls_only(props, unk) == data.guardrails.checks.s3.tls_only(general, unk)
		}
	}
}

# The fast branch does take the usual spellings (the test above compares real work).
test_tls_fast_branch_passes_usual_spelling_s305 if {
	data.guardrails.checks.s3.tls_only({"BucketName": "b", "Policy": {"Statement": [role_allow, tls]}}, ["BucketName"]) == set()
	count(data.guardrails.checks.s3.tls_only({"BucketName": "b", "Policy": {"Statement": [role_allow, tls]}}, ["Policy.Statement.1"])) == 1
}

# bpa_unknown and the second branch of kms_encryption test the type before the
# unknown analysis: an absent member listed as unknown is still wholly unknown (both
# engines; a plain reference to the absent member would be undefined here, so the
# type test keeps object.get), a present object is not.
test_type_test_before_unknown_analysis_s301_s304 if {
	data.guardrails.checks.s3.bpa_unknown({}, ["PublicAccessBlockConfiguration"])
	not data.guardrails.checks.s3.bpa_unknown({"PublicAccessBlockConfiguration": {}}, ["PublicAccessBlockConfiguration"])
	not data.guardrails.checks.s3.bpa_unknown({}, [])
	vs := data.guardrails.checks.s3.kms_encryption({}, ["BucketEncryption"])
	f.unknown(vs, "S3-04", "BucketEncryption")
}
