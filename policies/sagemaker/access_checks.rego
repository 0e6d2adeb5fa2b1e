package guardrails.checks.sagemaker_access

# Check functions of the SageMaker access controls SM-18 and SM-20 (rule package
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

# ---------------------------------------------------------------------------
# SM-20 Notebook instances allow only IMDSv2
# ---------------------------------------------------------------------------

imds_path := "InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion"

# "2" (or the number 2 from a YAML template) passes; unset is AWS's default, 1 (IMDSv1 allowed).
notebook_imds(obj, unk) := set() if {
	object.get(obj, ["InstanceMetadataServiceConfiguration", "MinimumInstanceMetadataServiceVersion"], null) in {"2", 2}
	not strings.any_prefix_match(imds_path, unk)
} else := {lib.unknown_violation(
	"SM-20",
	sprintf("%s is not knowable now (unresolved or omitted value); it must be 2.", [imds_path]),
	imds_path,
)} if {
	lib.unknown_at(obj, unk, imds_path)
} else := {lib.violation("SM-20", sprintf(
	"%s %s: the notebook instance accepts IMDSv1 requests, which a server-side request forgery can use to read the instance role's credentials; set it to 2.",
	[imds_path, lib.shown(obj, imds_path, "1")],
), imds_path)}
