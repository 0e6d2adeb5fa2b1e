package guardrails.batch

# Batch entry point for the OPA backends (OPA Go in-process, OPA server): the
# findings of every document of `input.documents`, in order, in one query, so a
# 1000-resource template is one evaluation (one round trip to a server), not
# 1000. Each document is evaluated exactly as `data.guardrails.main.findings`
# with that document as the input. Engine plumbing, not a policy: shipped with
# the engine (guardrails/engine/) and added to the bundle the OPA backends load.

import rego.v1

findings := [f |
	some document in input.documents
	f := data.guardrails.main.findings with input as document
]

# The revision (bundle digest) of the bundle this server holds, from the bundle's
# data (`guardrails policy bundle build` / `policy push`): checked against the
# local bundle on every answer, so another or a half-pushed bundle never decides.
revision := data.guardrails.bundle_info.revision
