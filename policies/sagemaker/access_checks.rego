package guardrails.checks.sagemaker_access

# Check functions of the SageMaker access control SM-18 (rule package
# guardrails.rules.sagemaker_access). Each takes (properties, unknown-list) of one request
# shape and returns a set of violations with paths relative to those properties,
# so the composition controls (SM-17, SM-19) can apply them to nested documents.

import data.guardrails.lib
import rego.v1

# ---------------------------------------------------------------------------
# SM-18 No root access on notebooks
# ---------------------------------------------------------------------------

# The passing case first: the literal value, nothing listed as unknown at or above it.
notebook_root_access(obj, unk) := set() if {
	obj.RootAccess == "Disabled"
	not strings.any_prefix_match("RootAccess", unk)
} else := lib.require_value(
	"SM-18", obj, unk, "RootAccess", "Disabled", "Enabled",
	"notebook users can become root and change the instance's software and network settings; set it to Disabled.",
)
