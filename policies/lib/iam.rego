package guardrails.lib.iam

# IAM policy-document helpers (bucket policies): statements, effects,
# principals, actions and conditions, each classified as known or unknown.
# `s` is a statement context {"path", "stmt"} from `statements`, `unk` the
# unknown list of the resource (paths such as "Policy.Statement.0.Principal").

import data.guardrails.lib
import rego.v1

# The policy document: an object, or a JSON string (parsed defensively).
document(policy) := policy if is_object(policy)

else := d if {
	is_string(policy)
	not lib.opaque(policy)
	json.is_valid(policy)
	d := json.unmarshal(policy)
	is_object(d)
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

# Principal "*", {"AWS": "*"} or {"AWS": [..., "*", ...]}: everyone.
wildcard_principal(p) if {
	p == "*"
} else := true if {
	is_object(p)
	some x in lib.values(p.AWS)
	x == "*"
}

# "public" | "unknown" | "other": who the statement applies to. An Allow with
# NotPrincipal applies to everyone but the listed principals, so it is public.
# Only the whole Principal or its "AWS" member can be "*"; an unknown there is
# "unknown" unless the source marked it specific (certainly not a wildcard).
#
# The first branch is the common known case, a single principal ARN in "AWS" with
# nothing listed as unknown at, above or below Principal / NotPrincipal: neither
# "*" nor an unknown that may be one, so "other" (what the branches below give).
principal_class(s, unk) := "other" if {
	a := s.stmt.Principal.AWS
	is_string(a)
	a != "*"
	not startswith(a, "<unknown")
	not s.stmt.NotPrincipal
	not strings.any_prefix_match(s.path, unk)
	not strings.any_prefix_match(unk, [concat(".", [s.path, "Principal"]), concat(".", [s.path, "NotPrincipal"])])
} else := "public" if {
	wildcard_principal(s.stmt.Principal)
} else := "public" if {
	s.stmt.NotPrincipal
	lib.equals_ci(s.stmt.Effect, "allow")
	not principal_may_be_wildcard(s, unk, "NotPrincipal")
} else := "unknown" if {
	principal_may_be_wildcard(s, unk, "Principal")
} else := "unknown" if {
	principal_may_be_wildcard(s, unk, "NotPrincipal")
} else := "other"

# The member (Principal or NotPrincipal) is, or has in "AWS", an unknown that may
# be "*"; or it is listed as unknown although no placeholder is visible (judge it
# unknown then).
principal_may_be_wildcard(s, unk, member) if {
	unknown_wildcard(s.stmt[member])
} else := true if {
	some x in lib.values(lib.field(s.stmt[member], "AWS"))
	unknown_wildcard(x)
} else := true if {
	lib.listed_within(unk, concat(".", [s.path, member]))
	not principal_has_placeholder(s.stmt[member])
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
}

# Action covers every S3 action: "*" or "s3:*" (case-insensitive).
all_actions(s) if {
	s.stmt.Action in {"*", "s3:*"}
} else := true if {
	some a in lib.values(s.stmt.Action)
	is_string(a)
	lower(a) in {"*", "s3:*"}
}

# The condition entries: [{"op", "key", "values", "path"}]; keys compared lower-case.
condition_entries(s) := [{"op": lower(op), "key": lower(k), "values": lib.values(v), "path": concat(".", [s.path, "Condition", op, k])} |
	is_object(s.stmt.Condition)
	some op, block in s.stmt.Condition
	is_object(block)
	some k, v in block
]

# ---------------------------------------------------------------------------
# Restricting conditions (S3-03)
# ---------------------------------------------------------------------------

# Condition keys that limit who can use an Allow "*" statement.
restricting_keys := {
	"aws:sourcevpce",
	"aws:sourcevpc",
	"aws:principalorgid",
	"aws:principalaccount",
	"aws:sourceaccount",
	"aws:sourcearn",
	"aws:sourceip",
}

# Operators that require the key to match the listed values. Negated operators
# allow everything else; "...IfExists" and "ForAllValues:" also match requests
# that lack the key (anonymous requests from the internet, for example), so
# they do not restrict.
restricting_operators := {
	"stringequals",
	"stringequalsignorecase",
	"stringlike",
	"arnequals",
	"arnlike",
	"ipaddress",
}

restricting_shape(e) if {
	e.key in restricting_keys
	not endswith(e.op, "ifexists")
	trim_prefix(e.op, "foranyvalue:") in restricting_operators
}

# A value that narrows the audience: a known value that is not a wildcard, a
# policy variable or an any-address CIDR (Security Hub treats wildcards and
# variables as not restricting), or an unknown the source marked specific.
restricting_value(v) if {
	is_number(v)
} else := true if {
	is_string(v)
	not lib.opaque(v)
	not contains(v, "*")
	not contains(v, "${")
	not v in {"0.0.0.0/0", "::/0"}
} else := true if {
	lib.specific_unknown(v)
}

# An entry whose values are not all knowable (a specific unknown is known enough).
entry_unknown(e, unk) if {
	some v in e.values
	lib.opaque(v)
	not lib.specific_unknown(v)
} else := true if {
	lib.listed_within(unk, e.path)
	every v in e.values {
		not lib.opaque(v)
	}
}

restricting_entry(e, unk) if {
	restricting_shape(e)
	count(e.values) > 0
	not entry_unknown(e, unk)
	every v in e.values {
		restricting_value(v)
	}
}

# A restricting-shaped entry with unknown values, every known one restricting.
maybe_restricting_entry(e, unk) if {
	restricting_shape(e)
	entry_unknown(e, unk)
	every v in e.values {
		opaque_or_restricting(v)
	}
}

opaque_or_restricting(v) if {
	lib.opaque(v)
} else := true if {
	restricting_value(v)
}

# "restricting" | "unknown" | "none"
condition_class(s, unk) := "none" if {
	not s.stmt.Condition
	not lib.listed_within(unk, concat(".", [s.path, "Condition"]))
} else := c if {
	entries := condition_entries(s)
	c := classify_conditions(s, unk, entries)
}

classify_conditions(s, unk, entries) := "restricting" if {
	some e in entries
	restricting_entry(e, unk)
} else := "unknown" if {
	some e in entries
	maybe_restricting_entry(e, unk)
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
