package guardrails.checks.s3

# Check functions of the guardrails.rules.s3 family: (properties, unknown-list)
# -> set of violations. Each function tries the common passing case first with
# plain expressions, and only then the unknown and failing analyses.

import data.guardrails.lib
import data.guardrails.lib.iam
import data.guardrails.lib.kms
import rego.v1

bucket_deny(props, unk, at_runtime) := ((bucket_block_public_access(props, unk, at_runtime) | no_public_acl(props, unk)) | no_public_policy(props, unk)) | kms_encryption(props, unk)

bucket_warn(props, unk, at_runtime) := tls_only(props, unk) | ownership_enforced(props, unk, at_runtime)

# ---------------------------------------------------------------------------
# Block Public Access (S3-01 bucket level, S3-06 account level)
# ---------------------------------------------------------------------------

# The passing case: all four flags literally true, none of them unknown.
bpa_all_on(props, unk) if {
	c := props.PublicAccessBlockConfiguration
	c.BlockPublicAcls == true
	c.IgnorePublicAcls == true
	c.BlockPublicPolicy == true
	c.RestrictPublicBuckets == true
	not lib.listed_within(unk, "PublicAccessBlockConfiguration")
}

# The four flags of a present configuration; an omitted flag is false.
bpa_flag_violations(control, props, unk, scope) := {v |
	some flag in ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]
	path := concat(".", ["PublicAccessBlockConfiguration", flag])
	v := bpa_flag_violation(control, props, unk, path, scope)
}

bpa_flag_violation(control, props, unk, path, scope) := lib.unknown_violation(
	control,
	sprintf("%s is not knowable now (unresolved or omitted value); it must be true.", [path]),
	path,
) if {
	lib.unknown_at(props, unk, path)
} else := lib.violation(control, sprintf(
	"%s %s: %s Block Public Access is not fully on; set all four settings to true.",
	[path, lib.shown(props, path, false), scope],
), path) if {
	not lib.is_true(lib.get(props, path))
}

# No configuration at all. An empty or partial one ({} or missing flags) is a
# configuration whose omitted flags are false (CloudFormation, PutPublicAccessBlock
# and CloudTrail alike): bpa_flag_violations reports them.
bpa_absent(props) if object.get(props, "PublicAccessBlockConfiguration", null) == null

# The configuration as a whole is a placeholder (not an object with flags).
# The type test first: a present configuration object skips the unknown analysis.
bpa_unknown(props, unk) if {
	not is_object(object.get(props, "PublicAccessBlockConfiguration", null))
	lib.unknown_at(props, unk, "PublicAccessBlockConfiguration")
}

# ---------------------------------------------------------------------------
# S3-01 Bucket-level Block Public Access fully on
# ---------------------------------------------------------------------------

# Absent configuration: the S3 default for new buckets (all four on) before
# deploy/admission; at runtime and scan it means the bucket has none.
# The first branch is bpa_all_on inlined, with "not listed" settled by two
# built-in calls (no unknown entry shares a string prefix with the path).
bucket_block_public_access(props, unk, at_runtime) := set() if {
	c := props.PublicAccessBlockConfiguration
	c.BlockPublicAcls == true
	c.IgnorePublicAcls == true
	c.BlockPublicPolicy == true
	c.RestrictPublicBuckets == true
	not strings.any_prefix_match(unk, "PublicAccessBlockConfiguration")
	not strings.any_prefix_match("PublicAccessBlockConfiguration", unk)
} else := set() if {
	bpa_all_on(props, unk)
} else := {lib.unknown_violation(
	"S3-01",
	"PublicAccessBlockConfiguration is not knowable now (unresolved value); all four settings must be true.",
	"PublicAccessBlockConfiguration",
)} if {
	bpa_unknown(props, unk)
} else := set() if {
	bpa_absent(props)
	not at_runtime
} else := {lib.violation(
	"S3-01",
	"PublicAccessBlockConfiguration is missing: the bucket has no bucket-level Block Public Access, so public ACLs and policies take effect; put a configuration with all four settings true.",
	"PublicAccessBlockConfiguration",
)} if {
	bpa_absent(props)
} else := bpa_flag_violations("S3-01", props, unk, "bucket-level")

# ---------------------------------------------------------------------------
# S3-02 No public ACL
# ---------------------------------------------------------------------------

no_public_acl(props, unk) := canned_acl(props, unk) | acl_grants(props, unk)

# Canned ACL in CloudFormation form (PublicRead); the API form (public-read) is accepted too.
canned_acl(props, unk) := set() if {
	not props.AccessControl
	not strings.any_prefix_match("AccessControl", unk)
} else := set() if {
	not props.AccessControl
	not lib.listed_unknown(unk, "AccessControl")
} else := {lib.unknown_violation(
	"S3-02",
	"AccessControl is not knowable now (unresolved value); it must not be PublicRead, PublicReadWrite or AuthenticatedRead.",
	"AccessControl",
)} if {
	lib.unknown_at(props, unk, "AccessControl")
} else := {lib.violation(
	"S3-02",
	sprintf("AccessControl is %s: the canned ACL grants access to everyone or to every AWS account; use Private (and ObjectOwnership BucketOwnerEnforced).", [props.AccessControl]),
	"AccessControl",
)} if {
	is_string(props.AccessControl)
	replace(lower(props.AccessControl), "-", "") in {"publicread", "publicreadwrite", "authenticatedread"}
} else := set()

acl_grants(props, unk) := set() if {
	not props.AccessControlPolicy
	not strings.any_prefix_match("AccessControlPolicy", unk)
} else := set() if {
	not props.AccessControlPolicy
	not lib.listed_unknown(unk, "AccessControlPolicy")
} else := {lib.unknown_violation(
	"S3-02",
	"AccessControlPolicy.Grants is not knowable now (unresolved value); no grant may go to the AllUsers or AuthenticatedUsers groups.",
	"AccessControlPolicy.Grants",
)} if {
	lib.unknown_at(props, unk, "AccessControlPolicy.Grants")
	not is_array(object.get(props, ["AccessControlPolicy", "Grants"], null))
} else := {v |
	some e in lib.elements(props, unk, "AccessControlPolicy.Grants")
	v := grant_violation(e)
}

grant_violation(e) := lib.unknown_violation(
	"S3-02",
	sprintf("%s.Grantee.URI is not knowable now (unresolved value); it must not be the AllUsers or AuthenticatedUsers group.", [e.path]),
	concat(".", [e.path, "Grantee.URI"]),
) if {
	lib.unknown_at(e.obj, e.unk, "Grantee.URI")
} else := lib.violation(
	"S3-02",
	sprintf("%s grants %v to the group %s: the bucket ACL is public; remove the grant.", [e.path, object.get(e.obj, "Permission", "access"), e.obj.Grantee.URI]),
	concat(".", [e.path, "Grantee.URI"]),
) if {
	uri := e.obj.Grantee.URI
	is_string(uri)
	some suffix in ["/groups/global/AllUsers", "/groups/global/AuthenticatedUsers"]
	endswith(uri, suffix)
}

# ---------------------------------------------------------------------------
# S3-03 No public bucket policy
# ---------------------------------------------------------------------------

# "Public" is S3's own definition (S3 User Guide, Block Public Access, "The
# meaning of 'public'"); the principal and condition analysis is in lib/iam.rego.

no_public_policy(props, unk) := public_policy("S3-03", "bucket policy", props, unk)

# The findings of `control` for a resource with a `Policy` (a bucket policy, an
# access point policy), `noun` naming it in messages.
#
# The first branch is the usual case: a policy object with a Statement list and no
# unknown entry that is a string prefix of "Policy" or starts with it. The
# branches below then all fail up to the last (Policy is set, neither listed nor a
# placeholder, nor its Statement; it is a policy document), and known_deny is the
# Effect test alone (its path is not listed).
public_policy(control, noun, props, unk) := {v |
	some s in iam.statements(props.Policy, "Policy")
	not s.stmt.Effect == "Deny"
	not known_private(s, unk)
	v := public_statement(control, noun, s, unk)
} if {
	is_array(props.Policy.Statement)
	not strings.any_prefix_match("Policy", unk)
	not strings.any_prefix_match(unk, "Policy")
} else := set() if {
	not props.Policy
	not strings.any_prefix_match("Policy", unk)
} else := set() if {
	not props.Policy
	not lib.listed_unknown(unk, "Policy")
} else := {lib.unknown_violation(
	control,
	"Policy is not knowable now (unresolved value); no statement may Allow Principal * without a restricting condition.",
	"Policy",
)} if {
	lib.unknown_at(props, unk, "Policy")
} else := {lib.unknown_violation(
	control,
	"Policy.Statement is not knowable now (unresolved value); no statement may Allow Principal * without a restricting condition.",
	"Policy.Statement",
)} if {
	iam.statements_unknown(iam.document(props.Policy), unk, "Policy")
} else := {lib.unknown_violation(
	control,
	"Policy is not a JSON policy document (it does not parse as a JSON object), so whether it is public cannot be decided.",
	"Policy",
)} if {
	iam.unreadable(props.Policy)
} else := {v |
	some s in iam.statements(iam.document(props.Policy), "Policy")
	not known_deny(s, unk)
	not known_private(s, unk)
	v := public_statement(control, noun, s, unk)
}

# A statement whose Effect is literally Deny, with no unknown entry that is even a
# string prefix of its Effect path (so neither the statement nor its Effect is
# unknown): never public, so public_statement need not analyse it.
known_deny(s, unk) if {
	s.stmt.Effect == "Deny"
	not strings.any_prefix_match(concat(".", [s.path, "Effect"]), unk)
}

# A statement granting one fixed AWS principal (a string without wildcards, policy
# variables or placeholders), with no NotPrincipal and no unknown entry that is even
# a string prefix of its path or starts with its Principal / NotPrincipal path:
# iam.principal_class is "other" (its first branch) and the statement is no
# placeholder (it has a Principal member), so public_statement is undefined for it.
known_private(s, unk) if {
	a := s.stmt.Principal.AWS
	is_string(a)
	not contains(a, "*")
	not contains(a, "?")
	not contains(a, "$")
	not startswith(a, "<unknown")
	count(s.stmt.Principal) == 1
	object.get(s.stmt, "NotPrincipal", null) == null
	not strings.any_prefix_match(s.path, unk)
	not strings.any_prefix_match(unk, [concat(".", [s.path, "Principal"]), concat(".", [s.path, "NotPrincipal"])])
}

# One violation for a public statement, an unknown one for a statement that may
# be public; undefined otherwise. Deny statements are never public.
#
# The first branch is the usual public statement, read with plain references:
# Effect Allow, Principal "*", no NotPrincipal, no Condition, and no unknown entry
# that is a string prefix of the statement's path or starts with it (so nothing
# in or above the statement is listed). The general analysis gives the same:
# effect "allow", principal_class "public", condition_class "none", and the
# principal text "Principal *".
public_statement(control, noun, s, unk) := public_violation(control, noun, s, "Principal *") if {
	s.stmt.Effect == "Allow"
	s.stmt.Principal == "*"
	object.get(s.stmt, "NotPrincipal", null) == null
	object.get(s.stmt, "Condition", null) == null
	not strings.any_prefix_match(s.path, unk)
	not strings.any_prefix_match(unk, s.path)
} else := public_violation(control, noun, s, "Principal {AWS: *}") if {
	# The same with Principal {"AWS": "*"}: principal_class "public" (public_principal),
	# and principal_text "Principal {AWS: *}" (principal_words of a one-member object).
	s.stmt.Effect == "Allow"
	s.stmt.Principal == {"AWS": "*"}
	object.get(s.stmt, "NotPrincipal", null) == null
	object.get(s.stmt, "Condition", null) == null
	not strings.any_prefix_match(s.path, unk)
	not strings.any_prefix_match(unk, s.path)
} else := lib.unknown_violation(
	control,
	sprintf("%s is not knowable now (unresolved value); it must not Allow Principal * without a restricting condition.", [s.path]),
	s.path,
) if {
	iam.statement_unknown(s, unk)
} else := v if {
	eff := iam.effect(s, unk)
	eff in {"allow", "unknown"}
	who := iam.principal_class(s, unk)
	who in {"public", "unknown"}
	cond := iam.condition_class(s, unk)
	cond != "restricting"
	v := statement_verdict(control, noun, s, eff, who, cond)
}

statement_verdict(control, noun, s, eff, who, cond) := public_violation(control, noun, s, principal_text(s)) if {
	eff == "allow"
	who == "public"
	cond == "none"
} else := lib.unknown_violation(control, sprintf(
	"%s may allow everyone: its Effect, Principal or restricting condition is not knowable now (unresolved value).",
	[s.path],
), s.path)

# A statement that is public for certain; `principal` is its principal_text.
public_violation(control, noun, s, principal) := lib.violation(control, sprintf(
	"%s allows everyone (%s) without a condition that pins a fixed, wildcard-free value of aws:SourceVpce, aws:SourceVpc, aws:SourceArn, aws:SourceAccount, aws:SourceOwner, aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:userid, s3:DataAccessPointArn, s3:DataAccessPointAccount or aws:SourceIp (no broader than /8): the %s is public as S3 Block Public Access defines it.",
	[s.path, principal, noun],
), s.path)

# "Principal *", "NotPrincipal {AWS: arn:...}": built by hand, because json.marshal
# and %v do not write the same text in every engine (OPA escapes < and >).
principal_text(s) := principal_words("NotPrincipal", s.stmt.NotPrincipal) if {
	lib.field(s.stmt, "NotPrincipal") != null
} else := principal_words("Principal", lib.field(s.stmt, "Principal"))

principal_words(member, p) := sprintf("%s %s", [member, p]) if {
	is_string(p)
} else := sprintf("%s {%s}", [member, concat("; ", parts)]) if {
	is_object(p)
	parts := sort([sprintf("%s: %s", [k, concat(", ", [x | some x in lib.values(v); is_string(x)])]) | some k, v in p])
} else := member

# ---------------------------------------------------------------------------
# S3-04 Default encryption with a KMS key
# ---------------------------------------------------------------------------

# A KMS rule counts only with a customer-managed key: aws:kms (or aws:kms:dsse)
# without KMSMasterKeyID uses the AWS managed key aws/s3, and so does naming
# alias/aws/s3 (see lib/kms.rego for what a key reference can tell). An unknown
# key (a parameter, a key resource) counts as set, like every KMS key presence
# check; only a known AWS managed alias, or a key whose related KMS document
# (read live: lib/kms.rego) says KeyManager AWS, fails.
kms_encryption(props, unk) := set() if {
	rules := props.BucketEncryption.ServerSideEncryptionConfiguration
	is_array(rules)
	some r in rules
	a := r.ServerSideEncryptionByDefault.SSEAlgorithm
	is_string(a)
	lower(a) in {"aws:kms", "aws:kms:dsse"}
	key := r.ServerSideEncryptionByDefault.KMSMasterKeyID
	is_string(key)
	key != ""
	not kms.aws_managed(key)
} else := {lib.unknown_violation(
	"S3-04",
	"BucketEncryption is not knowable now (unresolved value); the default encryption must be aws:kms or aws:kms:dsse with a customer-managed key.",
	"BucketEncryption",
)} if {
	# The type test first: a present configuration object skips the unknown analysis.
	not is_object(object.get(props, "BucketEncryption", null))
	lib.unknown_at(props, unk, "BucketEncryption")
} else := {lib.violation(
	"S3-04",
	"BucketEncryption is missing: S3 applies its default SSE-S3 (AES256) encryption with an S3 managed key; set ServerSideEncryptionByDefault.SSEAlgorithm to aws:kms with a customer-managed KMSMasterKeyID.",
	"BucketEncryption",
)} if {
	not lib.present(props, "BucketEncryption")
} else := algorithm_findings(lib.elements(props, unk, "BucketEncryption.ServerSideEncryptionConfiguration"))

# The rules (listed once): none if one rule uses a customer-managed (or unknown)
# key; else unknown algorithms; else each rule's failure; else "no rule".
algorithm_findings(rules) := set() if {
	some e in rules
	customer_key_rule(e)
} else := vs if {
	vs := unknown_algorithms(rules)
	count(vs) > 0
} else := vs if {
	vs := {v | some e in rules; v := rule_violation(e)}
	count(vs) > 0
} else := {lib.violation(
	"S3-04",
	"BucketEncryption.ServerSideEncryptionConfiguration has no rule: S3 applies its default SSE-S3 (AES256) encryption; add a rule with SSEAlgorithm aws:kms and a customer-managed KMSMasterKeyID.",
	"BucketEncryption.ServerSideEncryptionConfiguration",
)}

kms_algorithm(e) if {
	a := e.obj.ServerSideEncryptionByDefault.SSEAlgorithm
	is_string(a)
	lower(a) in {"aws:kms", "aws:kms:dsse"}
}

# A KMS rule whose key is set (or unknown) and not a known AWS managed key.
customer_key_rule(e) if {
	kms_algorithm(e)
	not lib.unknown_at(e.obj, e.unk, "ServerSideEncryptionByDefault.SSEAlgorithm")
	lib.set_or_unknown(e.obj, e.unk, "ServerSideEncryptionByDefault.KMSMasterKeyID")
	not kms.aws_managed(object.get(e.obj, ["ServerSideEncryptionByDefault", "KMSMasterKeyID"], null))
}

unknown_algorithms(rules) := {lib.unknown_violation(
	"S3-04",
	sprintf("%s.ServerSideEncryptionByDefault.SSEAlgorithm is not knowable now (unresolved value); it must be aws:kms or aws:kms:dsse.", [e.path]),
	concat(".", [e.path, "ServerSideEncryptionByDefault.SSEAlgorithm"]),
) |
	some e in rules
	lib.unknown_at(e.obj, e.unk, "ServerSideEncryptionByDefault.SSEAlgorithm")
}

rule_violation(e) := lib.violation(
	"S3-04",
	sprintf(
		"%s.ServerSideEncryptionByDefault.SSEAlgorithm %s: the default encryption is not SSE-KMS; set it to aws:kms (or aws:kms:dsse) with a customer-managed KMSMasterKeyID.",
		[e.path, lib.shown(e.obj, "ServerSideEncryptionByDefault.SSEAlgorithm", "AES256")],
	),
	concat(".", [e.path, "ServerSideEncryptionByDefault.SSEAlgorithm"]),
) if {
	not kms_algorithm(e)
} else := lib.violation(
	"S3-04",
	sprintf(
		"%s.ServerSideEncryptionByDefault.KMSMasterKeyID is not set: %s without a key uses the AWS managed key aws/s3, not a customer-managed key; set KMSMasterKeyID to a key you manage.",
		[e.path, e.obj.ServerSideEncryptionByDefault.SSEAlgorithm],
	),
	concat(".", [e.path, "ServerSideEncryptionByDefault.KMSMasterKeyID"]),
) if {
	not lib.set_or_unknown(e.obj, e.unk, "ServerSideEncryptionByDefault.KMSMasterKeyID")
} else := lib.violation(
	"S3-04",
	sprintf(
		"%s.ServerSideEncryptionByDefault.KMSMasterKeyID: %s.",
		[e.path, kms.aws_managed_reason(e.obj.ServerSideEncryptionByDefault.KMSMasterKeyID)],
	),
	concat(".", [e.path, "ServerSideEncryptionByDefault.KMSMasterKeyID"]),
) if {
	kms.aws_managed(e.obj.ServerSideEncryptionByDefault.KMSMasterKeyID)
}

# ---------------------------------------------------------------------------
# S3-05 TLS-only access
# ---------------------------------------------------------------------------

# The TLS Deny must cover this bucket and its objects: its Resource patterns
# (wildcards allowed, any partition) match arn:<partition>:s3:::<bucket> and
# arn:<partition>:s3:::<bucket>/* (see iam.resource_coverage).
#
# The first branch is the usual spelling of the TLS Deny, read with plain
# references on the policy object (no statement list built, no path for the
# statements that do not fit): it is a tls_deny statement, no unknown entry is a
# string prefix of its path (so it is not listed; an object with an Effect member
# is no placeholder), and its Resource list names the bucket and bucket/* (the
# first "yes" of iam.resource_coverage), so the second branch holds too. Any other
# spelling (a JSON string policy, a single Statement object, no BucketName, ...)
# is left to the second branch.
tls_only(props, unk) := set() if {
	stmts := props.Policy.Statement
	is_array(stmts)
	name := props.BucketName
	is_string(name)
	name != ""
	some i, st in stmts
	st.Effect == "Deny"
	st.Principal == "*"
	st.Action in {"*", "s3:*"}
	st.Condition.Bool["aws:SecureTransport"] in {"false", false}
	rs := st.Resource
	is_array(rs)
	concat("", ["arn:aws:s3:::", name]) in rs
	concat("", ["arn:aws:s3:::", name, "/*"]) in rs
	not strings.any_prefix_match(concat(".", ["Policy.Statement", format_int(i, 10)]), unk)
} else := set() if {
	some s in iam.statements(iam.document(props.Policy), "Policy")
	iam.tls_deny(s)
	not iam.statement_unknown(s, unk)
	iam.resource_coverage(s, unk, bucket_name(props), name_known(props, unk)) == "yes"
} else := {lib.unknown_violation(
	"S3-05",
	"Policy is not knowable now (unresolved value); it must Deny all S3 actions to Principal * when aws:SecureTransport is false.",
	"Policy",
)} if {
	lib.unknown_at(props, unk, "Policy")
} else := {lib.violation(
	"S3-05",
	"Policy is missing: no bucket policy denies requests made without TLS; add a Deny statement for Principal *, Action s3:*, Resource the bucket and bucket/*, with Condition Bool aws:SecureTransport false.",
	"Policy",
)} if {
	not lib.present(props, "Policy")
} else := {lib.unknown_violation(
	"S3-05",
	"Policy is not a JSON policy document (it does not parse as a JSON object), so whether it denies requests without TLS cannot be decided.",
	"Policy",
)} if {
	iam.unreadable(props.Policy)
} else := {lib.unknown_violation(
	"S3-05",
	"Policy has statements that are not knowable now (unresolved value), so whether it denies requests without TLS (aws:SecureTransport false) to this bucket and its objects cannot be decided.",
	"Policy.Statement",
)} if {
	tls_statement_unknown(props, unk)
} else := {lib.violation(
	"S3-05",
	"Policy has no Deny statement for Principal *, Action s3:* (or *), Resource covering the bucket and bucket/*, with Condition Bool aws:SecureTransport false: requests without TLS are not refused.",
	"Policy",
)}

# The bucket's name as the document shows it: a placeholder when it is not
# knowable (the CloudFormation source writes a policy Resource that names its own
# bucket with the same placeholder text), "" when absent.
bucket_name(props) := n if {
	n := props.BucketName
	is_string(n)
} else := ""

name_known(props, unk) if {
	n := props.BucketName
	is_string(n)
	n != ""
	not lib.opaque(n)
	not lib.listed_unknown(unk, "BucketName")
} else := false

tls_statement_unknown(props, unk) if iam.statements_unknown(iam.document(props.Policy), unk, "Policy")

# A statement that could be the TLS Deny, depending on its unknown parts: every
# known part fits (a statement conditioned only on aws:SourceVpce, or allowing,
# cannot be the TLS Deny whatever its unknown values are).
tls_statement_unknown(props, unk) if {
	name := bucket_name(props)
	known := name_known(props, unk)
	some s in iam.statements(iam.document(props.Policy), "Policy")
	tls_candidate(s, unk, name, known)
}

tls_candidate(s, unk, _, _) if iam.statement_unknown(s, unk)

tls_candidate(s, unk, name, known) if {
	not iam.statement_unknown(s, unk)
	iam.effect(s, unk) in {"deny", "unknown"}
	tls_principal_fits(s, unk)
	tls_action_fits(s, unk)
	iam.tls_condition_fits(s, unk)
	iam.resource_coverage(s, unk, name, known) in {"yes", "unknown"}
}

tls_principal_fits(s, unk) if {
	iam.wildcard_principal(s.stmt.Principal)
} else := true if {
	iam.principal_may_be_wildcard(s, unk, "Principal")
}

tls_action_fits(s, unk) if {
	iam.all_actions(s)
} else := true if {
	iam.part_unknown(s, unk, "Action")
}

# ---------------------------------------------------------------------------
# S3-06 Account-level Block Public Access fully on (runtime and scan only)
# ---------------------------------------------------------------------------

account_block_public_access(props, unk) := set() if {
	bpa_all_on(props, unk)
} else := {lib.unknown_violation(
	"S3-06",
	"PublicAccessBlockConfiguration is not knowable now (unresolved or omitted value); all four account-level settings must be true.",
	"PublicAccessBlockConfiguration",
)} if {
	bpa_unknown(props, unk)
} else := {lib.violation(
	"S3-06",
	"PublicAccessBlockConfiguration is missing: the account has no account-level Block Public Access; put one with all four settings true.",
	"PublicAccessBlockConfiguration",
)} if {
	bpa_absent(props)
} else := bpa_flag_violations("S3-06", props, unk, "account-level")

# ---------------------------------------------------------------------------
# S3-07 ACLs disabled (bucket owner enforced)
# ---------------------------------------------------------------------------

# Absent ownership controls are the S3 default for new buckets (BucketOwnerEnforced)
# before deploy/admission; at runtime and scan they mean the bucket has none
# (ACLs in effect).
ownership_enforced(props, unk, at_runtime) := set() if {
	props.OwnershipControls.Rules[0].ObjectOwnership == "BucketOwnerEnforced"
	count(props.OwnershipControls.Rules) == 1
	not strings.any_prefix_match(unk, "OwnershipControls")
	not strings.any_prefix_match("OwnershipControls", unk)
} else := set() if {
	not at_runtime
	not props.OwnershipControls
	not strings.any_prefix_match(unk, "OwnershipControls")
	not strings.any_prefix_match("OwnershipControls", unk)
} else := {lib.unknown_violation(
	"S3-07",
	"OwnershipControls is not knowable now (unresolved or omitted value); ObjectOwnership must be BucketOwnerEnforced (ACLs disabled).",
	"OwnershipControls",
)} if {
	lib.unknown_at(props, unk, "OwnershipControls")
	not is_object(object.get(props, "OwnershipControls", null))
} else := set() if {
	object.get(props, "OwnershipControls", null) == null
	not at_runtime
} else := {lib.violation(
	"S3-07",
	"OwnershipControls is missing: the bucket has no ownership controls, so ACLs grant access; set ObjectOwnership BucketOwnerEnforced to disable them.",
	"OwnershipControls",
)} if {
	object.get(props, "OwnershipControls", null) == null
} else := {lib.unknown_violation(
	"S3-07",
	"OwnershipControls.Rules is not knowable now (unresolved value); ObjectOwnership must be BucketOwnerEnforced.",
	"OwnershipControls.Rules",
)} if {
	lib.unknown_at(props, unk, "OwnershipControls.Rules")
	not is_array(object.get(props, ["OwnershipControls", "Rules"], null))
} else := ownership_rules(lib.elements(props, unk, "OwnershipControls.Rules"))

# The rules, listed once (lib.elements is among the costliest helpers).
ownership_rules(rules) := {lib.violation(
	"S3-07",
	"OwnershipControls.Rules has no rule: ObjectOwnership is not BucketOwnerEnforced, so ACLs stay in effect; add a rule with ObjectOwnership BucketOwnerEnforced.",
	"OwnershipControls.Rules",
)} if {
	count(rules) == 0
} else := {v |
	some e in rules
	v := ownership_violation(e)
}

ownership_violation(e) := lib.unknown_violation(
	"S3-07",
	sprintf("%s.ObjectOwnership is not knowable now (unresolved value); it must be BucketOwnerEnforced.", [e.path]),
	concat(".", [e.path, "ObjectOwnership"]),
) if {
	lib.unknown_at(e.obj, e.unk, "ObjectOwnership")
} else := lib.violation(
	"S3-07",
	sprintf("%s.ObjectOwnership %s: ACLs are not disabled, so they can still grant access; set it to BucketOwnerEnforced.", [e.path, lib.shown(e.obj, "ObjectOwnership", "unset")]),
	concat(".", [e.path, "ObjectOwnership"]),
) if {
	object.get(e.obj, "ObjectOwnership", null) != "BucketOwnerEnforced"
}

# ---------------------------------------------------------------------------
# S3-08 Access points block public access
# ---------------------------------------------------------------------------

# Absent configuration: AWS's default for a new access point (all four on). A
# present one needs all four true (an omitted flag is false), and the access
# point policy must not be public by the S3-03 rules.
access_point_deny(props, unk) := access_point_block(props, unk) | public_policy("S3-08", "access point policy", props, unk)

access_point_block(props, unk) := set() if {
	bpa_all_on(props, unk)
} else := {lib.unknown_violation(
	"S3-08",
	"PublicAccessBlockConfiguration is not knowable now (unresolved value); all four settings of the access point must be true.",
	"PublicAccessBlockConfiguration",
)} if {
	bpa_unknown(props, unk)
} else := set() if {
	bpa_absent(props)
} else := bpa_flag_violations("S3-08", props, unk, "access point")
