package guardrails.tests.fixtures_test

# Test helpers shared by the *_test packages (loaded only for policy tests).

import rego.v1

# A canonical resource document.
doc(t, props) := {
	"resource": {"type": t, "name": "r", "properties": props},
	"context": {"point": "pre-deploy", "source": "cloudformation", "unknown": []},
}

# The same with unknown paths.
doc_unknown(t, props, unk) := {
	"resource": {"type": t, "name": "r", "properties": props},
	"context": {"point": "pre-deploy", "source": "cloudformation", "unknown": unk},
}

# The same at an enforcement point.
doc_at(t, props, point) := {
	"resource": {"type": t, "name": "r", "properties": props},
	"context": {"point": point, "source": "live", "unknown": []},
}

# The same with related documents.
doc_related(t, props, related) := {
	"resource": {"type": t, "name": "r", "properties": props},
	"related": related,
	"context": {"point": "pre-deploy", "source": "cloudformation", "unknown": []},
}

# A related document (as found in `related`).
related_doc(t, name, props, unk) := {
	"resource": {"type": t, "name": name, "properties": props},
	"context": {"unknown": unk},
}

# A definite (not unknown) violation of control at path.
fails(vs, control, path) if {
	some v in vs
	v.control == control
	v.path == path
	not v.unknown
}

# An unknown finding of control at path.
unknown(vs, control, path) if {
	some v in vs
	v.control == control
	v.path == path
	v.unknown == true
}

# No finding at all (failing or unknown) of control.
passes(vs, control) if {
	every v in vs {
		v.control != control
	}
}

# The violations of one control.
of(vs, control) := {v | some v in vs; v.control == control}

# A violation of control whose message contains text.
says(vs, control, text) if {
	some v in vs
	v.control == control
	contains(v.message, text)
}
