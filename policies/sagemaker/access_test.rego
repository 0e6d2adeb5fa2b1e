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

test_access_family_has_no_deny_set if {
	not data.guardrails.rules.sagemaker_access.deny
}
