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

# The parts of a related document (an object). Dot access is undefined, never an
# error, on a member of another type, which then falls through to the default.
doc_props(doc) := p if {
	p := doc.resource.properties
	is_object(p)
} else := {}

doc_unknown(doc) := [u | some u in listed; is_string(u)] if {
	listed := doc.context.unknown
	is_array(listed)
} else := []

doc_related(doc) := r if {
	r := doc.related
	is_object(r)
} else := {}

endpoint_findings(props, related) := endpoint_config_findings(props.EndpointConfigName, related) if {
	is_string(props.EndpointConfigName)
} else := {lib.unknown_violation(
	"SM-17",
	"EndpointConfigName is missing: the endpoint configuration and its models cannot be resolved.",
	"EndpointConfigName",
)}

endpoint_config_findings(name, related) := config_checks(name, cfg, related) if {
	cfg := related[config_key(name)]
	is_object(cfg)
} else := {lib.unknown_violation(
	"SM-17",
	sprintf("cannot resolve EndpointConfig %s (not among the related documents), so SM-13 and the SM-03 checks of its models cannot be made.", [name]),
	"EndpointConfigName",
)}

# The variants are listed once and shared by the SM-13 check and the model lookups.
config_checks(ref, cfg, related) := sm13 | models if {
	cprops := doc_props(cfg)
	cunk := doc_unknown(cfg)
	name := doc_name(cfg, ref)
	variants := encryption.endpoint_variants(cprops, cunk)
	sm13 := config_sm13(encryption.endpoint_config_kms_with(cprops, cunk, variants), name)
	cfg_related := doc_related(cfg)
	models := union({model_findings(e, name, cfg_related, related) |
		some e in variants
	})
}

# SM-13 findings of the config as SM-17; the subject is built only for a config that fails.
config_sm13(vs, name) := set() if {
	vs == set()
} else := lib.reattribute(vs, "SM-17", "EndpointConfigName", sprintf("EndpointConfig %s", [name]), true)

# How a related document is named in messages: its own name (a template's logical id when the
# physical name is not known yet) rather than the reference, which may be an unknown placeholder.
doc_name(doc, ref) := n if {
	n := doc.resource.name
	is_string(n)
} else := ref

# The common case first: the variant names a model found among the related
# documents (the other branches all need a ModelName that is not a string, or no
# such document).
model_findings(e, config_name, cfg_related, related) := model_checks(name, config_name, doc) if {
	name := e.obj.ModelName
	is_string(name)
	doc := model_doc(name, cfg_related, related)
} else := set() if {
	not encryption.opaque_variant(e)
	not is_string(object.get(e.obj, "ModelName", null))
	not lib.unknown_at(e.obj, e.unk, "ModelName")
} else := {lib.unknown_violation(
	"SM-17",
	sprintf("the models of EndpointConfig %s are not knowable now (%s is unresolved), so their SM-03 checks cannot be made.", [config_name, e.path]),
	"EndpointConfigName",
)} if {
	not is_string(object.get(e.obj, "ModelName", null))
} else := model_checks(e.obj.ModelName, config_name, model_doc(e.obj.ModelName, cfg_related, related)) if {
	model_doc(e.obj.ModelName, cfg_related, related)
} else := {lib.unknown_violation(
	"SM-17",
	sprintf("cannot resolve Model %s referenced by EndpointConfig %s (%s.ModelName), so its SM-03 checks cannot be made.", [e.obj.ModelName, config_name, e.path]),
	"EndpointConfigName",
)}

# The model document: under the config's related documents, else the endpoint's.
model_doc(name, cfg_related, related) := doc if {
	doc := cfg_related[model_key(name)]
	is_object(doc)
} else := doc if {
	doc := related[model_key(name)]
	is_object(doc)
}

# `ref` is the ModelName the variant gives; the subject names the model document
# (doc_name) and is built only for a model that fails.
model_checks(ref, config_name, doc) := lib.reattribute(
	vs,
	"SM-17", "EndpointConfigName", sprintf("Model %s (via EndpointConfig %s)", [doc_name(doc, ref), config_name]), true,
) if {
	vs := network.model_vpc(doc_props(doc), doc_unknown(doc))
	vs != set()
} else := set()

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

# A step that is not an object (a pipeline expression or an unresolved value) cannot be judged.
opaque_step(step) if {
	not is_object(step)
} else := true if {
	lib.opaque(step)
}

step_findings(s) := {lib.unknown_violation(
	"SM-19",
	sprintf("%s is not knowable now (not a step object), so the job it launches cannot be checked.", [s.path]),
	s.path,
)} if {
	opaque_step(s.step)
} else := lib.reattribute(
	step_checks(t, c.obj, c.unk),
	"SM-19", concat(".", [s.path, "Arguments"]),
	sprintf("Pipeline step '%v' (%v)", [sm.step_name(s.step), s.step.Type]), false,
) if {
	t := sm.step_resource_type(s.step)
	c := step_context(s.step)
}

# The job controls of the step's request type (network, isolation, traffic
# encryption and KMS families).
step_checks(t, obj, unk) := encryption.model_package_kms(obj, unk) if {
	t == "AWS::SageMaker::ModelPackage"
} else := ({v | some v in network.deny_checks(t, obj, unk)} | {v | some v in network.warn_checks(t, obj, unk)}) | {v | some v in encryption.deny_checks(t, obj, unk)}
