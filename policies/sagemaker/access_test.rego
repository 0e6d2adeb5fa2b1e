package guardrails.tests.sagemaker_access_test

import data.guardrails.tests.fixtures_test as f
import rego.v1

warn(d) := vs if {
	vs := data.guardrails.rules.sagemaker_access.warn with input as d
}

# ---------------------------------------------------------------------------
# SM-18 No root access on notebooks (warn)
# ---------------------------------------------------------------------------

test_notebook_root_access_unset_fails_sm18 if {
	vs := warn(f.doc("AWS::SageMaker::NotebookInstance", {"SubnetId": "s"}))
	f.fails(vs, "SM-18", "RootAccess")
	f.says(vs, "SM-18", "AWS default: Enabled")
}

test_notebook_root_access_enabled_fails_sm18 if {
	f.fails(warn(f.doc("AWS::SageMaker::NotebookInstance", {"RootAccess": "Enabled"})), "SM-18", "RootAccess")
}

test_notebook_root_access_disabled_passes_sm18 if {
	f.passes(warn(f.doc("AWS::SageMaker::NotebookInstance", {"RootAccess": "Disabled"})), "SM-18")
}

test_notebook_root_access_unknown_is_unknown_sm18 if {
	d := f.doc_unknown("AWS::SageMaker::NotebookInstance", {"RootAccess": "<unknown: Ref Root>"}, ["RootAccess"])
	f.unknown(warn(d), "SM-18", "RootAccess")
}

test_root_access_applies_only_to_notebooks_sm18 if {
	count(warn(f.doc("AWS::SageMaker::Domain", {}))) == 0
}

# ---------------------------------------------------------------------------
# SM-20 Notebook instances allow only IMDSv2 (deny)
# ---------------------------------------------------------------------------

deny(d) := vs if {
	vs := data.guardrails.rules.sagemaker_access.deny with input as d
}

imds := "InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion"

test_notebook_imds_unset_fails_sm20 if {
	vs := deny(f.doc("AWS::SageMaker::NotebookInstance", {"RootAccess": "Disabled"}))
	f.fails(vs, "SM-20", imds)
	f.says(vs, "SM-20", "AWS default: 1")
}

test_notebook_imds_v1_fails_sm20 if {
	d := f.doc("AWS::SageMaker::NotebookInstance", {"InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "1"}})
	vs := deny(d)
	f.fails(vs, "SM-20", imds)
	f.says(vs, "SM-20", "is 1")
}

test_notebook_imds_empty_configuration_fails_sm20 if {
	f.fails(deny(f.doc("AWS::SageMaker::NotebookInstance", {"InstanceMetadataServiceConfiguration": {}})), "SM-20", imds)
}

test_notebook_imds_v2_passes_sm20 if {
	d := f.doc("AWS::SageMaker::NotebookInstance", {"InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"}})
	f.passes(deny(d), "SM-20")
}

test_notebook_imds_v2_as_number_passes_sm20 if {
	d := f.doc("AWS::SageMaker::NotebookInstance", {"InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": 2}})
	f.passes(deny(d), "SM-20")
}

test_notebook_imds_unknown_is_unknown_sm20 if {
	d := f.doc_unknown(
		"AWS::SageMaker::NotebookInstance",
		{"InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "<unknown: Ref Imds>"}},
		[imds],
	)
	f.unknown(deny(d), "SM-20", imds)
}

test_notebook_imds_unknown_parent_is_unknown_sm20 if {
	d := f.doc_unknown(
		"AWS::SageMaker::NotebookInstance",
		{"InstanceMetadataServiceConfiguration": "<unknown: not part of the UpdateNotebookInstance request>"},
		["InstanceMetadataServiceConfiguration"],
	)
	f.unknown(deny(d), "SM-20", imds)
}

test_notebook_imds_listed_unknown_with_literal_2_is_unknown_sm20 if {
	d := f.doc_unknown(
		"AWS::SageMaker::NotebookInstance",
		{"InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"}},
		["InstanceMetadataServiceConfiguration"],
	)
	f.unknown(deny(d), "SM-20", imds)
}

test_imds_applies_only_to_notebooks_sm20 if {
	count(deny(f.doc("AWS::SageMaker::Domain", {}))) == 0
}

test_imds_is_deny_not_warn_sm20 if {
	f.passes(warn(f.doc("AWS::SageMaker::NotebookInstance", {})), "SM-20")
}
