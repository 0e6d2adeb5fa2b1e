package guardrails.lib

# Core helpers shared by every control family: access to the canonical resource
# document, the "unknown" semantics and the violation object contract.
#
# Conventions used throughout:
# - A *path* is a dotted string relative to some object (usually the resource
#   properties), e.g. "VpcConfig.Subnets". List indexes are written as numbers
#   ("ProductionVariants.0.ModelName"), exactly like `context.unknown`.
# - `unk` is the list of unknown paths relative to the same object. The empty
#   path "" in `unk` means "the whole object is unknown".
# - Check functions take (obj, unk) and return a SET of violations whose paths
#   are relative to obj; callers re-root them with `nest` / `reattribute`.
# - Built-ins are only ever called with values of the right type: regorus raises
#   on a type error (which would turn the whole decision into an error).
# - Performance: every resource runs these helpers, and in regorus each function
#   call, each evaluated definition and each built-in call costs far more than a
#   comparison or a reference (`x.y`, `x == y`, `x in {...}`). regorus evaluates
#   every definition of a multi-definition function on each call, so the helpers
#   are `else` chains (evaluation stops at the first branch that holds), the
#   common passing case first. `strings.any_prefix_match(path, unk)` is false when
#   no unknown entry is even a string prefix of path, which proves "not listed"
#   in one built-in call. Never index an object literal with a variable
#   (`{"a": 1}[k]`): regorus takes an internal error path for it, which captures
#   a Rust backtrace when RUST_BACKTRACE is set.

import rego.v1

# ---------------------------------------------------------------------------
# The document being evaluated
# ---------------------------------------------------------------------------

# These rules read `input` directly (no function calls): they are evaluated for
# every resource and regorus function calls are comparatively expensive.
resource_type := input.resource.type

default props := {}

props := p if {
	p := input.resource.properties
	is_object(p)
}

# Unknown paths of the evaluated resource (strings only).
unknown_paths := [u |
	listed := input.context.unknown
	is_array(listed)
	some u in listed
	is_string(u)
]

# Enforcement point; the canonical document defaults to pre-deploy.
default point := "pre-deploy"

point := p if {
	p := input.context.point
	is_string(p)
}

default related := {}

related := r if {
	r := input.related
	is_object(r)
}

# True at the points where the live state of a resource is judged.
default runtime_point := false

runtime_point if input.context.point == "runtime"

runtime_point if input.context.point == "scan"

# ---------------------------------------------------------------------------
# Type coercion
# ---------------------------------------------------------------------------

# x if x is an object, {} otherwise.
as_object(x) := x if is_object(x)

else := {}

# x if x is an array, [] otherwise.
as_array(x) := x if is_array(x)

else := []

# obj[key] for an object, null otherwise (never raises on other types).
field(obj, key) := object.get(obj, key, null) if is_object(obj)

else := null

# A string or a list of strings/values as a list (IAM-style "string or list").
values(x) := x if is_array(x)

else := [x] if {
	x != null
	not is_object(x)
}

else := []

# Booleans may arrive as strings from some sources: accept true and "true" (any case).
is_true(x) if {
	x == true
} else := true if {
	is_string(x)
	lower(x) == "true"
}

is_false(x) if {
	x == false
} else := true if {
	is_string(x)
	lower(x) == "false"
}

# Case-insensitive string equality; false for non-strings.
equals_ci(a, b) if {
	is_string(a)
	is_string(b)
	lower(a) == lower(b)
}

# ---------------------------------------------------------------------------
# Paths and values
# ---------------------------------------------------------------------------

# "a.b" + "c" -> "a.b.c"; an empty side is dropped.
join_path(a, b) := b if a == ""

else := a if b == ""

else := concat(".", [a, b])

# Value at a dotted path of obj (an object), or null. Paths passed to get,
# present, missing and unknown_at traverse objects only: list elements are
# visited with `elements`, whose contexts carry their own relative paths.
get(obj, path) := object.get(obj, split(path, "."), null)

# A value counts as set when it is not null, not "" and not an empty list/object.
non_empty(v) if {
	v != null
	v != ""
	v != []
	v != {}
}

present(obj, path) if {
	v := object.get(obj, split(path, "."), null)
	v != null
	v != ""
	v != []
	v != {}
}

# A placeholder or an unresolved expression that stands for a value present but
# not knowable now: the adapters' "<unknown...>" strings, CloudFormation
# intrinsics an adapter left in place, and SageMaker Pipelines expressions
# ({"Get": ...}, {"Std:Join": ...}, {"Std:JsonGet": ...}).
opaque(v) if {
	is_string(v)
	startswith(v, "<unknown")
} else := true if {
	is_object(v)
	count(v) == 1
	some k, _ in v
	expression_key(k)
}

# An unknown placeholder the source marked as certainly not a wildcard or empty
# ("<unknown specific: ...>": a resource id or attribute, the account id, a
# string with literal text such as arn:aws:iam::${AWS::AccountId}:root).
specific_unknown(v) if {
	is_string(v)
	startswith(v, "<unknown specific:")
}

# The value may be "*": a wildcard pattern, or an unknown that is not specific.
may_be_wildcard(v) if {
	is_string(v)
	contains(v, "*")
} else := true if {
	opaque(v)
	not specific_unknown(v)
}

expression_key(k) if {
	k in {"Get", "Ref"}
} else := true if {
	strings.any_prefix_match(k, ["Std:", "Fn::"])
}

# u (an entry of an unknown list) covers path: u is "" (everything), the path
# itself, or a prefix of it.
covers(u, path) if {
	u == ""
} else := true if {
	u == path
} else := true if {
	startswith(path, concat("", [u, "."]))
}

# The path (or a prefix of it) is listed as unknown. `strings.any_prefix_match`
# (some entry is a plain string prefix of path) settles the common case, nothing
# listed there, with one built-in call; `covers` then checks the dot boundary.
listed_unknown(unk, path) if {
	strings.any_prefix_match(path, unk)
	some u in unk
	covers(u, path)
}

# The value at path is not knowable: listed in unk, or the value at the path or
# at one of its prefixes is a placeholder/expression: the value itself is one, or
# it is absent because a proper prefix of the path is one (a present value cannot
# sit below a placeholder). null is never a placeholder, so it is skipped before
# calling `opaque`.
unknown_at(obj, unk, path) if {
	strings.any_prefix_match(path, unk)
	listed_unknown(unk, path)
} else := true if {
	v := object.get(obj, split(path, "."), null)
	v != null
	opaque(v)
} else := true if {
	ks := split(path, ".")
	count(ks) > 1
	object.get(obj, ks, null) == null
	some n in numbers.range(1, count(ks) - 1)
	x := object.get(obj, array.slice(ks, 0, n), null)
	x != null
	opaque(x)
}

# Maybe absent: the value is not there but the path (or a prefix of it) is listed
# unknown by name: the source could not tell whether it is set (CloudFormation
# `Fn::If` on an unknown condition with `AWS::NoValue` or a missing key in one
# branch), or the document's own properties are wholly unknown ("" in
# context.unknown: properties from a macro or an import). A nested "" (an unknown
# list element, a placeholder object) and a present placeholder above the path
# keep the rule "unknown counts as set".
maybe_absent(obj, unk, path) if {
	strings.any_prefix_match(path, unk)
	object.get(obj, split(path, "."), null) == null
	some u in unk
	u != ""
	covers(u, path)
	not opaque_above(obj, path)
} else := true if {
	"" in unknown_paths
	obj == props
	unk == unknown_paths
	object.get(obj, split(path, "."), null) == null
}

opaque_above(obj, path) if {
	ks := split(path, ".")
	count(ks) > 1
	some n in numbers.range(1, count(ks) - 1)
	x := object.get(obj, array.slice(ks, 0, n), null)
	x != null
	opaque(x)
}

# Set or unknown (unknown counts as set for presence checks; maybe absent does not).
set_or_unknown(obj, unk, path) if {
	v := object.get(obj, split(path, "."), null)
	v != null
	v != ""
	v != []
	v != {}
} else := true if {
	unknown_at(obj, unk, path)
	not maybe_absent(obj, unk, path)
}

# Missing: not set and not unknown.
missing(obj, unk, path) if {
	not present(obj, path)
	not unknown_at(obj, unk, path)
}

# The unknown list re-rooted at prefix: entries under prefix lose it; an entry
# covering the prefix itself becomes "" (everything below is unknown). Two
# built-in calls settle the common case: no entry is a prefix of prefix (so none
# covers it) and none starts with "<prefix>." (so none is below it).
sub_unknown(unk, prefix) := [] if {
	not strings.any_prefix_match(prefix, unk)
	not strings.any_prefix_match(unk, concat("", [prefix, "."]))
} else := [substring(u, count(prefix) + 1, -1) | some u in unk; startswith(u, pdot)] if {
	# No entry covers prefix (each would be a string prefix of it): only the
	# entries below prefix remain, re-rooted.
	not strings.any_prefix_match(prefix, unk)
	pdot := concat("", [prefix, "."])
} else := [r | some u in unk; r := relative(u, prefix)]

# The cases are exclusive: u covers prefix ("", prefix itself, or a prefix of
# it), or u is below prefix.
relative(u, prefix) := "" if {
	u == ""
} else := "" if {
	u == prefix
} else := substring(u, count(prefix) + 1, -1) if {
	startswith(u, concat("", [prefix, "."]))
} else := "" if {
	startswith(prefix, concat("", [u, "."]))
}

# The elements of the list at path as nested contexts:
# [{"path": "<path>.<i>", "index": i, "obj": element-or-{}, "unk": relative unknowns}].
# A list that is itself unknown yields one pseudo-element, at the list's path,
# whose contents are all unknown (so value checks report unknown, never pass).
elements(obj, unk, path) := [e |
	some i, x in list
	p := concat(".", [path, format_int(i, 10)])
	e := element(x, p, i, unk)
] if {
	list := object.get(obj, split(path, "."), null)
	is_array(list)
	not listed_unknown(unk, path)
}

else := [{"path": path, "index": -1, "obj": {}, "unk": [""]}] if unknown_at(obj, unk, path)

else := []

# An object with other than exactly one member is never an expression: the
# common case skips `opaque`.
element(x, p, i, unk) := {"path": p, "index": i, "obj": x, "unk": sub_unknown(unk, p)} if {
	is_object(x)
	count(x) != 1
} else := {"path": p, "index": i, "obj": {}, "unk": [""]} if {
	opaque(x)
} else := {"path": p, "index": i, "obj": as_object(x), "unk": sub_unknown(unk, p)}

# ---------------------------------------------------------------------------
# Violations
# ---------------------------------------------------------------------------

violation(control, message, path) := {"control": control, "message": message, "path": path}

unknown_violation(control, message, path) := {"control": control, "message": message, "path": path, "unknown": true}

# The check helpers below test the passing case first and build messages only
# for a violation: they run for every resource, and user-function calls with a
# body are what costs time in regorus.

# Presence check: one violation when path is missing (unknown counts as set); an
# unknown violation when it may be absent.
require_present(control, obj, unk, path, message) := set() if {
	v := object.get(obj, split(path, "."), null)
	v != null
	v != ""
	v != []
	v != {}
} else := {unknown_violation(
	control,
	sprintf("%s may be absent (it depends on a value not knowable now): %s", [path, message]),
	path,
)} if {
	maybe_absent(obj, unk, path)
} else := set() if {
	unknown_at(obj, unk, path)
} else := {violation(control, message, path)}

# Boolean check: the value must be true (unset = false, the AWS default).
# Unknown -> unknown finding. The message is "<path> <current value>: <reason>".
require_true(control, obj, unk, path, reason) := set() if {
	object.get(obj, split(path, "."), null) == true
	not strings.any_prefix_match(path, unk)
} else := set() if {
	not listed_unknown(unk, path)
	is_true(object.get(obj, split(path, "."), null))
} else := {unknown_violation(
	control,
	sprintf("%s is not knowable now (unresolved or omitted value); it must be true.", [path]),
	path,
)} if {
	unknown_at(obj, unk, path)
} else := {violation(control, sprintf("%s %s: %s", [path, shown(obj, path, false), reason]), path)}

# Enum check: the value must equal `want` (case-insensitive); unset takes `dflt`
# (the AWS default). Unknown -> unknown finding.
require_value(control, obj, unk, path, want, dflt, reason) := set() if {
	v := object.get(obj, split(path, "."), dflt)
	is_string(v)
	is_string(want)
	lower(v) == lower(want)
	not strings.any_prefix_match(path, unk)
} else := set() if {
	not listed_unknown(unk, path)
	equals_ci(object.get(obj, split(path, "."), dflt), want)
} else := {unknown_violation(
	control,
	sprintf("%s is not knowable now (unresolved or omitted value); it must be %s.", [path, want]),
	path,
)} if {
	unknown_at(obj, unk, path)
} else := {violation(control, sprintf("%s %s: %s", [path, shown(obj, path, dflt), reason]), path)}

# Re-root violations found in a nested object: prefix each path and the message.
nest(vs, prefix, label) := {nested(v, prefix, label) | some v in vs}

nested(v, prefix, label) := object.union(v, {
	"path": join_path(prefix, v.path),
	"message": sprintf("%s: %s", [label, v.message]),
})

# Report violations of one control as another (SM-17, SM-19): new control id,
# path re-rooted under prefix (or replaced when `replace_path` is true), message
# "<subject> fails <original control>: <original message>". `unknown` is kept.
reattribute(vs, control, prefix, subject, replace_path) := {reattributed(v, control, prefix, subject, replace_path) | some v in vs}

# `via` names the control that actually failed in the nested document, so the Python side
# can enforce the composite control no harder than that control (an SM-08 failure inside a
# pipeline step warns under SM-19, as it would on the job itself).
reattributed(v, control, prefix, subject, replace_path) := object.union(v, {
	"control": control,
	"path": reattributed_path(v.path, prefix, replace_path),
	"message": sprintf("%s fails %s: %s", [subject, v.control, v.message]),
	"via": object.get(v, "via", v.control),
})

reattributed_path(_, prefix, true) := prefix

reattributed_path(path, prefix, false) := join_path(prefix, path)

# Describes the current value for messages: "is Enabled" or "is not set (AWS default: Enabled)".
shown(obj, path, dflt) := sprintf("is %v", [v]) if {
	v := get(obj, path)
	v != null
} else := sprintf("is not set (AWS default: %v)", [dflt])

# Something at path, above it or below it is listed as unknown (for values that
# are judged as a whole, such as a policy Principal or Condition block).
listed_within(unk, path) if {
	strings.any_prefix_match(unk, concat("", [path, "."]))
} else := true if {
	strings.any_prefix_match(path, unk)
	listed_unknown(unk, path)
}
