package guardrails.tests.lib_test

import data.guardrails.lib
import rego.v1

test_is_true_accepts_booleans_and_strings if {
	lib.is_true(true)
	lib.is_true("true")
	lib.is_true("TRUE")
	not lib.is_true(false)
	not lib.is_true("false")
	not lib.is_true("yes")
	not lib.is_true(null)
	not lib.is_true(1)
	lib.is_false(false)
	lib.is_false("False")
	not lib.is_false("true")
}

test_unknown_paths_cover_their_descendants if {
	lib.listed_unknown(["VpcConfig"], "VpcConfig.Subnets")
	lib.listed_unknown(["VpcConfig.Subnets"], "VpcConfig.Subnets")
	lib.listed_unknown([""], "anything.at.all")
	not lib.listed_unknown(["Vpc"], "VpcConfig.Subnets")
	not lib.listed_unknown(["VpcConfig.Subnets.0"], "VpcConfig.Subnets")
	lib.listed_within(["VpcConfig.Subnets.0"], "VpcConfig.Subnets")
	not lib.listed_within(["VpcConfigX"], "VpcConfig")
}

test_unknown_at_sees_placeholders_and_expressions if {
	lib.unknown_at({"VpcConfig": "<unknown: Ref X>"}, [], "VpcConfig.Subnets")
	lib.unknown_at({"VpcConfig": {"Get": "Parameters.Vpc"}}, [], "VpcConfig.Subnets")
	lib.unknown_at({"KmsKeyId": {"Std:Join": {"On": "", "Values": []}}}, [], "KmsKeyId")
	lib.unknown_at({"KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}, [], "KmsKeyId")
	not lib.unknown_at({"VpcConfig": {"Subnets": ["s"], "Get": 1}}, [], "VpcConfig.Subnets")
	not lib.unknown_at({}, [], "KmsKeyId")
}

test_presence_treats_empty_values_as_missing if {
	lib.present({"a": {"b": ["x"]}}, "a.b")
	lib.present({"a": false}, "a")
	not lib.present({"a": {"b": []}}, "a.b")
	not lib.present({"a": ""}, "a")
	not lib.present({"a": {}}, "a")
	not lib.present({"a": null}, "a")
	lib.missing({"a": []}, [], "a")
	not lib.missing({"a": []}, ["a"], "a")
}

test_sub_unknown_reroots_the_list if {
	lib.sub_unknown(["Defs.1.VpcConfig", "Defs.10", "Other"], "Defs.1") == ["VpcConfig"]
	lib.sub_unknown(["Defs"], "Defs.1") == [""]
	lib.sub_unknown([""], "Defs.1") == [""]
}

test_elements_of_an_unknown_list_are_wholly_unknown if {
	lib.elements({"L": "<unknown: Ref L>"}, ["L"], "L") == [{"path": "L", "index": -1, "obj": {}, "unk": [""]}]
	es := lib.elements({"L": [{"a": 1}, "<unknown: x>"]}, ["L.1"], "L")
	es[0] == {"path": "L.0", "index": 0, "obj": {"a": 1}, "unk": []}
	es[1].unk == [""]
	lib.elements({}, [], "L") == []
}

test_nest_and_reattribute_rewrite_paths_and_messages if {
	v := lib.violation("SM-01", "VpcConfig.Subnets is missing", "VpcConfig.Subnets")
	lib.nest({v}, "TrainingJobDefinitions.1", "TrainingJobDefinitions.1") == {lib.violation(
		"SM-01",
		"TrainingJobDefinitions.1: VpcConfig.Subnets is missing",
		"TrainingJobDefinitions.1.VpcConfig.Subnets",
	)}
	u := lib.unknown_violation("SM-13", "KmsKeyId is not knowable now", "KmsKeyId")
	lib.reattribute({u}, "SM-17", "EndpointConfigName", "EndpointConfig ec", true) == {{
		"control": "SM-17",
		"message": "EndpointConfig ec fails SM-13: KmsKeyId is not knowable now",
		"path": "EndpointConfigName",
		"unknown": true,
		"via": "SM-13",
	}}
}

test_document_accessors_tolerate_missing_parts if {
	lib.props == {} with input as {"resource": {"type": "AWS::S3::Bucket"}}
	lib.unknown_paths == [] with input as {"resource": {"type": "AWS::S3::Bucket"}, "context": {"unknown": "VpcConfig"}}
	lib.point == "pre-deploy" with input as {"resource": {"type": "AWS::S3::Bucket"}}
	lib.runtime_point with input as {"context": {"point": "scan"}}
	not lib.runtime_point with input as {"context": {"point": "admission"}}
}

test_may_be_wildcard_tells_specific_unknowns_apart if {
	lib.may_be_wildcard("*")
	lib.may_be_wildcard("arn:aws:iam::*:root")
	lib.may_be_wildcard("<unknown: Ref Principal>")
	lib.may_be_wildcard({"Get": "Parameters.P"})
	not lib.may_be_wildcard("<unknown specific: GetAtt Role.Arn>")
	not lib.may_be_wildcard("arn:aws:iam::111122223333:root")
	lib.specific_unknown("<unknown specific: Ref AWS::AccountId>")
	lib.opaque("<unknown specific: Ref AWS::AccountId>")
}

# Maybe absent (absent + listed by name): presence checks report unknown, never pass.
test_maybe_absent_is_absent_and_listed_by_name if {
	lib.maybe_absent({}, ["KmsKeyId"], "KmsKeyId")
	lib.maybe_absent({}, ["VpcConfig"], "VpcConfig.Subnets")
	not lib.maybe_absent({"KmsKeyId": "<unknown: Ref Key>"}, ["KmsKeyId"], "KmsKeyId")
	not lib.maybe_absent({"VpcConfig": "<unknown: Ref V>"}, ["VpcConfig"], "VpcConfig.Subnets")
	not lib.maybe_absent({"X": 1}, [""], "KmsKeyId") with input as {"resource": {"properties": {"X": 2}}, "context": {"unknown": [""]}}
	not lib.maybe_absent({}, [], "KmsKeyId")
	not lib.maybe_absent({"KmsKeyId": "k"}, ["KmsKeyId"], "KmsKeyId")
}

test_require_present_reports_maybe_absent_as_unknown if {
	vs := lib.require_present("SM-14", {}, ["KmsKeyId"], "KmsKeyId", "KmsKeyId is missing")
	some v in vs
	v.unknown == true
	v.path == "KmsKeyId"
	count(lib.require_present("SM-14", {"KmsKeyId": "<unknown: Ref K>"}, ["KmsKeyId"], "KmsKeyId", "m")) == 0
	count(lib.require_present("SM-14", {}, [""], "KmsKeyId", "m")) == 0
	not lib.set_or_unknown({}, ["KmsKeyId"], "KmsKeyId")
	lib.set_or_unknown({"KmsKeyId": "<unknown: Ref K>"}, ["KmsKeyId"], "KmsKeyId")
}

# The document's whole properties unknown (a macro): every key may be absent.
test_wholly_unknown_properties_are_maybe_absent if {
	doc := {"resource": {"properties": {}}, "context": {"unknown": [""]}}
	lib.maybe_absent({}, [""], "KmsKeyId") with input as doc
	lib.maybe_absent({}, [""], "VpcConfig.Subnets") with input as doc
	not lib.maybe_absent({}, [""], "KmsKeyId") with input as {"resource": {"properties": {}}, "context": {"unknown": []}}
}
