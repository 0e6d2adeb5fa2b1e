package guardrails.checks.sagemaker_composition

# Check functions of the SageMaker composition controls SM-17 and SM-19 (rule package
# guardrails.rules.sagemaker_composition). Each takes (properties, unknown-list) of one request
# shape and returns a set of violations with paths relative to those properties,
# so the composition controls (SM-17, SM-19) can apply them to nested documents.

import data.guardrails.checks.sagemaker_encryption as encryption
import data.guardrails.checks.sagemaker_network as network
import data.guardrails.lib
import data.guardrails.lib.sagemaker as sm
import rego.v1

# ---------------------------------------------------------------------------
# SM-17 Endpoints serve only compliant configs and models
# ---------------------------------------------------------------------------

config_key(name) := sprintf("AWS::SageMaker::EndpointConfig/%s", [name])

model_key(name) := sprintf("AWS::SageMaker::Model/%s", [name])

# The parts of a related document.
doc_props(doc) := lib.as_object(object.get(lib.as_object(object.get(doc, "resource", {})), "properties", {}))

doc_unknown(doc) := [u |
	some u in lib.as_array(object.get(lib.as_object(object.get(doc, "context", {})), "unknown", []))
	is_string(u)
]

doc_related(doc) := lib.as_object(object.get(doc, "related", {}))

endpoint_findings(props, related) := endpoint_config_findings(props.EndpointConfigName, related) if {
	is_string(props.EndpointConfigName)
} else := {lib.unknown_violation(
	"SM-17",
	"EndpointConfigName is missing: the endpoint configuration and its models cannot be resolved.",
	"EndpointConfigName",
)}

endpoint_config_findings(name, related) := config_checks(name, related[config_key(name)], related) if {
	is_object(related[config_key(name)])
} else := {lib.unknown_violation(
	"SM-17",
	sprintf("cannot resolve EndpointConfig %s (not among the related documents), so SM-13 and the SM-03 checks of its models cannot be made.", [name]),
	"EndpointConfigName",
)}

config_checks(ref, cfg, related) := sm13 | models if {
	cprops := doc_props(cfg)
	cunk := doc_unknown(cfg)
	name := doc_name(cfg, ref)
	sm13 := lib.reattribute(
		encryption.endpoint_config_kms(cprops, cunk),
		"SM-17", "EndpointConfigName", sprintf("EndpointConfig %s", [name]), true,
	)
	models := union({model_findings(e, name, doc_related(cfg), related) |
		some e in encryption.endpoint_variants(cprops, cunk)
	})
}

# How a related document is named in messages: its own name (a template's logical id when the
# physical name is not known yet) rather than the reference, which may be an unknown placeholder.
doc_name(doc, ref) := n if {
	n := lib.as_object(object.get(doc, "resource", {})).name
	is_string(n)
} else := ref

model_findings(e, config_name, cfg_related, related) := set() if {
	not encryption.opaque_variant(e)
	not is_string(object.get(e.obj, "ModelName", null))
	not lib.unknown_at(e.obj, e.unk, "ModelName")
} else := {lib.unknown_violation(
	"SM-17",
	sprintf("the models of EndpointConfig %s are not knowable now (%s is unresolved), so their SM-03 checks cannot be made.", [config_name, e.path]),
	"EndpointConfigName",
)} if {
	not is_string(object.get(e.obj, "ModelName", null))
} else := model_checks(doc_name(model_doc(e.obj.ModelName, cfg_related, related), e.obj.ModelName), config_name, model_doc(e.obj.ModelName, cfg_related, related)) if {
	model_doc(e.obj.ModelName, cfg_related, related)
} else := {lib.unknown_violation(
	"SM-17",
	sprintf("cannot resolve Model %s referenced by EndpointConfig %s (%s.ModelName), so its SM-03 checks cannot be made.", [e.obj.ModelName, config_name, e.path]),
	"EndpointConfigName",
)}

# The model document: under the config's related documents, else the endpoint's.
model_doc(name, cfg_related, related) := cfg_related[model_key(name)] if {
	is_object(cfg_related[model_key(name)])
} else := related[model_key(name)] if {
	is_object(related[model_key(name)])
}

model_checks(name, config_name, doc) := lib.reattribute(
	network.model_vpc(doc_props(doc), doc_unknown(doc)),
	"SM-17", "EndpointConfigName", sprintf("Model %s (via EndpointConfig %s)", [name, config_name]), true,
)

# ---------------------------------------------------------------------------
# SM-19 Pipelines launch only compliant jobs
# ---------------------------------------------------------------------------

pipeline := sm.pipeline_definition(data.guardrails.lib.props, data.guardrails.lib.unknown_paths) if {
	input.resource.type == "AWS::SageMaker::Pipeline"
}

pipeline_findings(r) := {lib.unknown_violation(
	"SM-19",
	sprintf("%s, so the pipeline's steps cannot be checked against the job controls.", [r.reason]),
	r.path,
)} if {
	not r.ok
} else := union({step_findings(s) | some s in sm.pipeline_steps(r.definition, r.path)})

# The step's Arguments as (obj, unk): an expression or a non-object is wholly unknown.
step_context(step) := {"obj": step.Arguments, "unk": []} if {
	is_object(step.Arguments)
	not lib.opaque(step.Arguments)
} else := {"obj": {}, "unk": [""]}

step_findings(s) := lib.reattribute(
	step_checks(t, c.obj, c.unk),
	"SM-19", concat(".", [s.path, "Arguments"]),
	sprintf("Pipeline step '%v' (%v)", [sm.step_name(s.step), s.step.Type]), false,
) if {
	t := sm.step_resource_type(s.step)
	c := step_context(s.step)
}

# The job controls of the step's request type (network, isolation, traffic
# encryption and KMS families).
step_checks(t, obj, unk) := ({v | some v in network.deny_checks(t, obj, unk)} | {v | some v in network.warn_checks(t, obj, unk)}) | {v | some v in encryption.deny_checks(t, obj, unk)}
