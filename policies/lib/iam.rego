package guardrails.lib.iam

# IAM policy-document helpers (bucket policies): statements, effects,
# principals, actions and conditions, each classified as known or unknown.
# `s` is a statement context {"path", "stmt"} from `statements`, `unk` the
# unknown list of the resource (paths such as "Policy.Statement.0.Principal").

import data.guardrails.lib
import rego.v1

# The policy document: an object, or a JSON string (parsed defensively); null
# when it is neither (see `unreadable`).
document(policy) := policy if is_object(policy)

else := d if {
	is_string(policy)
	not lib.opaque(policy)
	json.is_valid(policy)
	d := json.unmarshal(policy)
	is_object(d)
}

else := null

# A present policy that is no policy document: a string that is not a JSON
# object, a number, a list... Its statements cannot be known, so the controls
# report it as unknown, never as "no policy".
unreadable(policy) if {
	policy != null
	not lib.opaque(policy)
	document(policy) == null
}

# Performance: helpers here run for every statement of every bucket policy. They
# are `else` chains (regorus evaluates every definition of a multi-definition
# function) and try the common, known case with plain comparisons before the
# general analysis; see the note in core.rego.

# [{"path": ..., "stmt": ...}] whether Statement is a list or a single object.
# Elements that are neither objects nor unknown placeholders are not statements.
statements(policy, base) := [{"path": concat(".", [base, "Statement", format_int(i, 10)]), "stmt": s} |
	some i, s in policy.Statement
	statement_shaped(s)
] if {
	is_array(policy.Statement)
} else := [{"path": concat(".", [base, "Statement"]), "stmt": policy.Statement}] if {
	is_object(policy.Statement)
} else := []

statement_shaped(s) if {
	is_object(s)
} else := true if {
	lib.opaque(s)
}

# The statement list itself is not knowable.
statements_unknown(policy, unk, base) if {
	p := concat(".", [base, "Statement"])
	strings.any_prefix_match(p, unk)
	lib.listed_unknown(unk, p)
} else := true if {
	lib.opaque(policy.Statement)
}

# A statement that is wholly unknown.
statement_unknown(s, unk) if {
	strings.any_prefix_match(s.path, unk)
	lib.listed_unknown(unk, s.path)
} else := true if {
	lib.opaque(s.stmt)
}

# "allow" | "deny" (or another known string, lower-case) | "unknown" | "other"
# The common case first: Effect is literally Allow or Deny and nothing at or
# above it is listed as unknown (no entry is even a string prefix of its path).
effect(s, unk) := lower(e) if {
	e := s.stmt.Effect
	e in {"Allow", "Deny"}
	not strings.any_prefix_match(concat(".", [s.path, "Effect"]), unk)
} else := lower(e) if {
	e := s.stmt.Effect
	is_string(e)
	not startswith(e, "<unknown")
	not lib.listed_unknown(unk, concat(".", [s.path, "Effect"]))
} else := "unknown" if {
	part_unknown(s, unk, "Effect")
} else := "other"

# A statement member (or anything inside it) is not knowable.
part_unknown(s, unk, member) if {
	lib.listed_within(unk, concat(".", [s.path, member]))
} else := true if {
	lib.opaque(s.stmt[member])
} else := true if {
	is_object(s.stmt[member])
	some x in s.stmt[member]
	element_opaque(x)
} else := true if {
	is_array(s.stmt[member])
	some x in s.stmt[member]
	lib.opaque(x)
}

element_opaque(x) if {
	lib.opaque(x)
} else := true if {
	is_array(x)
	some y in x
	lib.opaque(y)
}

# ---------------------------------------------------------------------------
# Who a statement applies to (S3-03, S3-05)
# ---------------------------------------------------------------------------
#
# S3-03 follows S3's own definition of a public policy: Amazon S3 User Guide,
# "Blocking public access to your Amazon S3 storage" -> "The meaning of
# 'public'" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
# A policy is public unless every Allow grants access only to *fixed* values
# (no wildcard, no policy variable) of a principal or of a key on S3's list.
#
# Principal forms that reach beyond fixed principals (everyone):
# - "*" and {"AWS": "*"} (also as one element of a list);
# - any AWS / CanonicalUser / Service / Federated value with a wildcard;
# - {"Federated": <provider>} naming a web identity provider by its domain
#   (accounts.google.com, graph.facebook.com, www.amazon.com,
#   cognito-identity.amazonaws.com): anyone signed in there. A SAML/OIDC
#   provider ARN of a fixed account is a fixed principal.
# NotPrincipal with Allow applies to everyone but the listed principals.
#
# Performance: only statements whose Effect may be Allow reach these helpers.

# Principal "*", {"AWS": "*"} or {"AWS": [..., "*", ...]}: everyone (the TLS
# Deny of S3-05 needs exactly this form).
wildcard_principal(p) if {
	p == "*"
} else := true if {
	is_object(p)
	some x in lib.values(p.AWS)
	x == "*"
}

# The principal grants beyond fixed principals (see above).
public_principal(p) if {
	p == "*"
} else := true if {
	is_object(p)
	some member in ["AWS", "CanonicalUser", "Service", "Federated"]
	some x in lib.values(lib.field(p, member))
	wildcard_value(x)
} else := true if {
	is_object(p)
	some x in lib.values(lib.field(p, "Federated"))
	is_string(x)
	not lib.opaque(x)
	not startswith(x, "arn:")
}

# A known string with a wildcard ("*", "?") or a policy variable ("${...}").
wildcard_value(x) if {
	is_string(x)
	contains(x, "*")
} else := true if {
	is_string(x)
	contains(x, "?")
} else := true if {
	is_string(x)
	contains(x, "${")
}

# "public" | "unknown" | "other": who the statement applies to. An Allow with
# NotPrincipal applies to everyone but the listed principals, so it is public.
# An unknown principal value is "unknown" unless the source marked it specific
# (certainly not a wildcard).
#
# The first branch is the common known case, a single principal ARN in "AWS" with
# nothing listed as unknown at, above or below Principal / NotPrincipal: neither
# a wildcard nor an unknown that may be one, so "other" (what the branches below give).
principal_class(s, unk) := "other" if {
	a := s.stmt.Principal.AWS
	is_string(a)
	not contains(a, "*")
	not contains(a, "?")
	not contains(a, "$")
	not startswith(a, "<unknown")
	count(s.stmt.Principal) == 1
	lib.field(s.stmt, "NotPrincipal") == null
	not strings.any_prefix_match(s.path, unk)
	not strings.any_prefix_match(unk, [concat(".", [s.path, "Principal"]), concat(".", [s.path, "NotPrincipal"])])
} else := "public" if {
	public_principal(lib.field(s.stmt, "Principal"))
} else := "unknown" if {
	not_principal_given(s, unk)
	principal_may_be_wildcard(s, unk, "NotPrincipal")
} else := "public" if {
	lib.field(s.stmt, "NotPrincipal") != null
	lib.equals_ci(s.stmt.Effect, "allow")
} else := "unknown" if {
	principal_may_be_wildcard(s, unk, "Principal")
} else := "other"

# The statement has a NotPrincipal (possibly unknown).
not_principal_given(s, unk) if {
	lib.field(s.stmt, "NotPrincipal") != null
} else := true if {
	lib.listed_within(unk, concat(".", [s.path, "NotPrincipal"]))
}

# The member (Principal or NotPrincipal) is, or has among its values, an unknown
# that may be a wildcard; or it is listed as unknown although no placeholder is
# visible (judge it unknown then). Absent members are null, never undefined, so
# that no call below takes an undefined argument (OPA and regorus differ there).
principal_may_be_wildcard(s, unk, member) if {
	unknown_wildcard(lib.field(s.stmt, member))
} else := true if {
	p := lib.field(s.stmt, member)
	some m in ["AWS", "Federated"]
	some y in lib.values(lib.field(p, m))
	unknown_wildcard(y)
} else := true if {
	lib.listed_within(unk, concat(".", [s.path, member]))
	not principal_has_placeholder(lib.field(s.stmt, member))
}

# An unknown that may be "*" (a known "*" is not unknown).
unknown_wildcard(v) if {
	lib.opaque(v)
	not lib.specific_unknown(v)
}

principal_has_placeholder(p) if {
	lib.opaque(p)
} else := true if {
	is_object(p)
	some x in p
	element_opaque(x)
} else := false

# Action covers every S3 action: "*" or "s3:*" (case-insensitive).
all_actions(s) if {
	s.stmt.Action in {"*", "s3:*"}
} else := true if {
	some a in lib.values(lib.field(s.stmt, "Action"))
	is_string(a)
	lower(a) in {"*", "s3:*"}
}

# The condition entries: [{"op", "key", "values", "path"}]; operators and keys
# compared lower-case.
condition_entries(s) := [{"op": lower(op), "key": lower(k), "values": lib.values(v), "path": concat(".", [s.path, "Condition", op, k])} |
	is_object(s.stmt.Condition)
	some op, block in s.stmt.Condition
	is_object(block)
	some k, v in block
]

# ---------------------------------------------------------------------------
# Restricting conditions (S3-03)
# ---------------------------------------------------------------------------

# The condition keys of S3's "meaning of public" list: a fixed value of one of
# them keeps an Allow for everyone from being public.
restricting_keys := {
	"aws:sourcearn",
	"aws:sourcevpc",
	"aws:sourcevpce",
	"aws:sourceowner",
	"aws:sourceaccount",
	"aws:principalaccount",
	"aws:principalorgid",
	"aws:principalarn",
	"aws:userid",
	"s3:dataaccesspointarn",
	"s3:dataaccesspointaccount",
	"s3:x-amz-server-side-encryption-aws-kms-key-id",
	"aws:sourceip",
}

# Operators that pin the key to the listed values. Conservatively, nothing else
# restricts: negated operators (StringNotEquals, NotIpAddress, ArnNotLike...)
# allow every other value; "...IfExists" and "ForAllValues:" also match requests
# that lack the key (anonymous requests from the internet, for example); Null
# tests presence only. "ForAnyValue:" needs one of the request's values to match,
# so it pins like the plain operator.
pinning_operators := {
	"stringequals",
	"stringequalsignorecase",
	"stringlike",
	"arnequals",
	"arnlike",
}

pinning_shape(e) if {
	e.key in restricting_keys
	op := trim_prefix(e.op, "foranyvalue:")
	op in pinning_operators
	e.key != "aws:sourceip"
} else := true if {
	e.key == "aws:sourceip"
	trim_prefix(e.op, "foranyvalue:") == "ipaddress"
}

# "fixed" | "open" | "unknown" for one condition value of key.
# - a wildcard ("*", "?") or a policy variable makes a value open; the one
#   exception S3 documents: s3:DataAccessPointArn may wildcard the access point
#   name when the account (and the rest of the ARN) is fixed;
# - aws:SourceIp values are CIDRs no broader than /8 (IPv4) or /32 (IPv6);
# - an unknown value is unknown, except a specific one ("<unknown specific: ...>",
#   certainly not a wildcard), which is fixed for every key but aws:SourceIp.
value_state(key, v) := "fixed" if {
	key != "aws:sourceip"
	is_string(v)
	not lib.opaque(v)
	not wildcard_value(v)
} else := "fixed" if {
	key != "aws:sourceip"
	is_number(v)
} else := "fixed" if {
	key == "s3:dataaccesspointarn"
	is_string(v)
	regex.match(`^arn:[a-z0-9-]+:s3:[a-z0-9-]+:[0-9]{12}:accesspoint/`, v)
	not contains(v, "${")
} else := "fixed" if {
	key == "aws:sourceip"
	cidr_size(v) > 0
} else := "fixed" if {
	key != "aws:sourceip"
	lib.specific_unknown(v)
} else := "unknown" if {
	lib.opaque(v)
} else := "open"

# Addresses of an IPv4 CIDR no broader than /8, as a count (a bare address is a
# /32); 1 for an IPv6 CIDR no broader than /32 (it cannot, with any number of
# others in one policy, cover every address); 0 for anything else.
cidr_size(v) := pow2[32 - n] if {
	is_string(v)
	regex.match(`^[0-9]{1,3}(\.[0-9]{1,3}){3}(/[0-9]{1,2})?$`, v)
	n := cidr_prefix(v, 32)
	n >= 8
	n <= 32
} else := 1 if {
	is_string(v)
	contains(v, ":")
	regex.match(`^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$`, v)
	n := cidr_prefix(v, 128)
	n >= 32
	n <= 128
} else := 0

cidr_prefix(v, default_bits) := to_number(parts[1]) if {
	parts := split(v, "/")
	count(parts) == 2
} else := default_bits

# pow2[i] = 2^i for i in 0..32.
pow2 := [
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536,
	131072, 262144, 524288, 1048576, 2097152, 4194304, 8388608, 16777216, 33554432,
	67108864, 134217728, 268435456, 536870912, 1073741824, 2147483648, 4294967296,
]

# The values of an aws:SourceIp entry together cover every IPv4 address (as
# many addresses as the whole space, counting overlaps: conservative).
covers_everything(e) if {
	e.key == "aws:sourceip"
	sum([cidr_size(v) | some v in e.values; not contains(v, ":")]) >= 4294967296
}

# "restricting" | "unknown" | "none" for one condition entry.
entry_class(e, unk) := "none" if {
	not pinning_shape(e)
} else := "unknown" if {
	lib.listed_within(unk, e.path)
	every v in e.values {
		not lib.opaque(v)
	}
} else := "none" if {
	count(e.values) == 0
} else := c if {
	states := {value_state(e.key, v) | some v in e.values}
	c := entry_verdict(e, states)
}

entry_verdict(e, states) := "none" if {
	"open" in states
} else := "unknown" if {
	"unknown" in states
} else := "none" if {
	covers_everything(e)
} else := "restricting"

# "restricting" | "unknown" | "none"
condition_class(s, unk) := "none" if {
	lib.field(s.stmt, "Condition") == null
	not lib.listed_within(unk, concat(".", [s.path, "Condition"]))
} else := c if {
	classes := {entry_class(e, unk) | some e in condition_entries(s)}
	c := classify_conditions(s, unk, classes)
}

classify_conditions(s, unk, classes) := "restricting" if {
	"restricting" in classes
} else := "unknown" if {
	"unknown" in classes
} else := "unknown" if {
	part_unknown(s, unk, "Condition")
	not is_object(lib.field(s.stmt, "Condition"))
} else := "unknown" if {
	is_object(s.stmt.Condition)
	some block in s.stmt.Condition
	lib.opaque(block)
} else := "none"

# ---------------------------------------------------------------------------
# TLS-only (S3-05)
# ---------------------------------------------------------------------------

# Condition Bool / BoolIfExists aws:SecureTransport with a false value. The
# usual spelling is tested directly before the condition entries are built.
secure_transport_false(s) if {
	s.stmt.Condition.Bool["aws:SecureTransport"] in {"false", false}
} else := true if {
	some e in condition_entries(s)
	e.op in {"bool", "boolifexists"}
	e.key == "aws:securetransport"
	some v in e.values
	lib.is_false(v)
}

# Deny * / s3:* to everyone when the request is not over TLS.
tls_deny(s) if {
	deny_effect(s.stmt.Effect)
	wildcard_principal(s.stmt.Principal)
	all_actions(s)
	secure_transport_false(s)
}

deny_effect(e) if {
	e == "Deny"
} else := true if {
	lib.equals_ci(e, "deny")
}

# The condition could be the TLS one, whatever its unknown values are: it is
# (Bool aws:SecureTransport false), or the condition (or one of its operator
# blocks) is itself unknown, or an aws:SecureTransport entry has an unknown value.
# A known condition without an aws:SecureTransport key cannot be.
tls_condition_fits(s, unk) if {
	secure_transport_false(s)
} else := true if {
	lib.listed_unknown(unk, concat(".", [s.path, "Condition"]))
} else := true if {
	lib.opaque(lib.field(s.stmt, "Condition"))
} else := true if {
	is_object(s.stmt.Condition)
	some block in s.stmt.Condition
	lib.opaque(block)
} else := true if {
	some e in condition_entries(s)
	e.op in {"bool", "boolifexists"}
	e.key == "aws:securetransport"
	secure_transport_value_unknown(e, unk)
}

secure_transport_value_unknown(e, unk) if {
	some v in e.values
	lib.opaque(v)
} else := true if {
	lib.listed_within(unk, e.path)
}

# ---------------------------------------------------------------------------
# Resources (S3-05)
# ---------------------------------------------------------------------------

# The partitions a bucket ARN may name.
partitions := ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"]

# Names standing for "any bucket" when the bucket's name is not knowable: a
# pattern matching both matches every name.
any_bucket_names := ["generated-name-0", "x.y-z"]

# "yes" | "unknown" | "no": the statement's Resource covers the bucket
# arn:<partition>:s3:::<name> and all of its objects <bucket-arn>/*. `name` is the
# bucket's name as the document shows it ("" when absent, a placeholder when not
# knowable: the CloudFormation source writes Resources naming their own bucket
# with the same placeholder); `known` says whether it is the real name.
#
# The first branch is the usual spelling, a Resource list holding
# arn:aws:s3:::<name> and arn:aws:s3:::<name>/* literally: both are known
# resources (strings, no placeholders), so covers_bucket holds for them without
# matching every resource against every partition.
resource_coverage(s, unk, name, known) := "yes" if {
	name != ""
	rs := s.stmt.Resource
	is_array(rs)
	concat("", ["arn:aws:s3:::", name]) in rs
	concat("", ["arn:aws:s3:::", name, "/*"]) in rs
} else := "yes" if {
	name != ""
	covers_bucket(known_resources(s), name)
} else := "yes" if {
	patterns := known_resources(s)
	every n in any_bucket_names {
		covers_bucket(patterns, n)
	}
} else := "unknown" if {
	resources_unknown(s, unk)
} else := "unknown" if {
	not known
	some r in known_resources(s)
	not names_this_bucket(r, name)
} else := "no"

# A Resource written with the bucket's own (placeholder) name: it names this
# bucket, whatever that name will be.
names_this_bucket(r, name) if {
	name != ""
	contains(r, name)
}

known_resources(s) := [r |
	some r in lib.values(lib.field(s.stmt, "Resource"))
	is_string(r)
	not lib.opaque(r)
]

resources_unknown(s, unk) if {
	part_unknown(s, unk, "Resource")
}

covers_bucket(patterns, name) if {
	some a in patterns
	bucket_pattern(a, name)
	some b in patterns
	objects_pattern(b, name)
}

# The usual spellings (arn:aws:s3:::name, arn:aws:s3:::name/*) are compared
# directly; anything else is matched as a pattern in every partition.
bucket_pattern(a, name) if {
	a == concat("", ["arn:aws:s3:::", name])
} else := true if {
	some p in partitions
	glob_matches(a, concat("", ["arn:", p, ":s3:::", name]))
}

objects_pattern(b, name) if {
	b == concat("", ["arn:aws:s3:::", name, "/*"])
} else := true if {
	some p in partitions
	arn := concat("", ["arn:", p, ":s3:::", name])
	glob_matches(b, concat("", [arn, "/*"]))
	glob_matches(b, concat("", [arn, "/any/key-0.txt"]))
}

# IAM Resource matching: "*" any run of characters, "?" any one character,
# everything else literal (case-sensitive), done with a regular expression
# (glob.match's delimiter defaults are not the same in every engine).
#
# Two exact shortcuts before the regular expression (built anew for every call):
# a pattern without wildcards matches only itself, and a value that does not start
# with the pattern's literal head (the text before its first wildcard) cannot match.
glob_matches(pattern, value) if {
	pattern == value
} else := true if {
	pattern == "*"
} else := false if {
	not contains(pattern, "*")
	not contains(pattern, "?")
} else := false if {
	not startswith(value, glob_head(pattern))
} else := true if {
	regex.match(glob_regex(pattern), value)
}

# The literal text of an IAM pattern before its first `*` or `?`.
glob_head(pattern) := split(split(pattern, "*")[0], "?")[0]

# One `replace` per character class, in an order where no replacement feeds a
# later one (strings.replace_n is not applied the same way by every engine).
glob_regex(pattern) := concat("", ["^", rx, "$"]) if {
	a := replace(pattern, "\\", "\\\\")
	b := replace(replace(replace(replace(a, ".", "\\."), "+", "\\+"), "(", "\\("), ")", "\\)")
	c := replace(replace(replace(replace(b, "[", "\\["), "]", "\\]"), "{", "\\{"), "}", "\\}")
	d := replace(replace(replace(c, "^", "\\^"), "$", "\\$"), "|", "\\|")
	rx := replace(replace(d, "*", ".*"), "?", ".")
}
