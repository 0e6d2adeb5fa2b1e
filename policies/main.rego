package guardrails.main

# Entry point evaluated by the Python side: `data.guardrails.main.findings`.
# Collects the `deny` and `warn` sets of every control family package directly
# under `guardrails.rules` (test packages live under `guardrails.tests` and are
# never reached from here).

import rego.v1

findings contains v if {
	some name
	some v in data.guardrails.rules[name].deny
}

findings contains object.union(v, {"default_enforcement": "warn"}) if {
	some name
	some v in data.guardrails.rules[name].warn
}
