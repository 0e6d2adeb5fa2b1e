package guardrails.lib.sagemaker

# SageMaker-specific structure helpers: the nested shapes that several control
# families walk (HPO training job definitions, inline monitoring job
# definitions, pipeline definitions and their steps).
#
# Every helper returns "nested contexts" {"path", "label", "obj", "unk"}: the
# nested object, its path from the resource properties, a label for messages and
# the unknown list re-rooted at that path (see lib.sub_unknown).

import data.guardrails.lib
import rego.v1

# ---------------------------------------------------------------------------
# HyperParameterTuningJob: TrainingJobDefinition and every TrainingJobDefinitions[]
# ---------------------------------------------------------------------------

hpo_definitions(props, unk) := array.concat(hpo_single(props, unk), hpo_multi(props, unk))

# The single definition; also used when neither shape is present, so that a
# request without any definition reports its missing settings instead of passing.
hpo_single(props, unk) := [hpo_context(props, unk, "TrainingJobDefinition", "TrainingJobDefinition")] if {
	hpo_uses_single(props, unk)
} else := []

hpo_uses_single(props, unk) if lib.set_or_unknown(props, unk, "TrainingJobDefinition")

hpo_uses_single(props, unk) if not lib.set_or_unknown(props, unk, "TrainingJobDefinitions")

hpo_multi(props, unk) := [c |
	some e in lib.elements(props, unk, "TrainingJobDefinitions")
	c := {
		"path": e.path,
		"label": hpo_label(e),
		"obj": e.obj,
		"unk": e.unk,
	}
]

hpo_label(e) := sprintf("%s (%s)", [e.path, e.obj.DefinitionName]) if is_string(e.obj.DefinitionName)

else := e.path

hpo_context(props, unk, path, label) := {"path": path, "label": label, "obj": {}, "unk": [""]} if {
	lib.opaque(props[path])
} else := {"path": path, "label": label, "obj": lib.as_object(object.get(props, path, {})), "unk": lib.sub_unknown(unk, path)}

# The volume KMS key of an HPO definition lives in HyperParameterTuningResourceConfig
# when that is used instead of ResourceConfig.
hpo_volume_key_path(def) := "HyperParameterTuningResourceConfig.VolumeKmsKeyId" if {
	lib.non_empty(object.get(def, "HyperParameterTuningResourceConfig", null))
} else := "ResourceConfig.VolumeKmsKeyId"

# ---------------------------------------------------------------------------
# MonitoringSchedule: the inline MonitoringJobDefinition
# ---------------------------------------------------------------------------

inline_monitoring_path := "MonitoringScheduleConfig.MonitoringJobDefinition"

# Zero or one context. A schedule that references a separate job definition
# (MonitoringJobDefinitionName) has no inline definition: the referenced
# definition is a resource of its own and is evaluated as such.
inline_monitoring(props, unk) := [mon_context(props, unk)] if {
	not references_definition(props, unk)
} else := []

references_definition(props, unk) if {
	not lib.present(props, inline_monitoring_path)
	lib.set_or_unknown(props, unk, "MonitoringScheduleConfig.MonitoringJobDefinitionName")
	not lib.listed_unknown(unk, "MonitoringScheduleConfig")
	not lib.opaque(object.get(props, "MonitoringScheduleConfig", null))
}

mon_context(props, unk) := {
	"path": inline_monitoring_path,
	"label": inline_monitoring_path,
	"obj": {},
	"unk": [""],
} if {
	not lib.present(props, inline_monitoring_path)
	lib.unknown_at(props, unk, inline_monitoring_path)
} else := {
	"path": inline_monitoring_path,
	"label": inline_monitoring_path,
	"obj": lib.as_object(lib.get(props, inline_monitoring_path)),
	"unk": lib.sub_unknown(unk, inline_monitoring_path),
}

# ---------------------------------------------------------------------------
# Pipelines
# ---------------------------------------------------------------------------

# Where the definition body is: API shape (PipelineDefinition is the JSON string)
# or CloudFormation shape (PipelineDefinition.PipelineDefinitionBody).
definition_path(props) := "PipelineDefinition.PipelineDefinitionBody" if {
	is_object(props.PipelineDefinition)
	not props.PipelineDefinition.Steps
} else := "PipelineDefinition"

# {"ok": true, "definition": {...}, "path": p} when the definition can be read,
# {"ok": false, "reason": "...", "path": p} otherwise.
pipeline_definition(props, unk) := r if {
	p := definition_path(props)
	r := read_definition(props, unk, p, lib.get(props, p))
}

read_definition(props, unk, p, _) := {"ok": false, "path": p, "reason": sprintf("%s is not knowable now (unresolved value)", [p])} if {
	lib.unknown_at(props, unk, p)
} else := {"ok": true, "path": p, "definition": body} if {
	is_string(body_raw(props, p))
	json.is_valid(body_raw(props, p))
	body := json.unmarshal(body_raw(props, p))
	is_object(body)
} else := {"ok": true, "path": p, "definition": body} if {
	body := lib.get(props, p)
	is_object(body)
	body.Steps
} else := {"ok": false, "path": p, "reason": sprintf("%s is not valid JSON", [p])} if {
	is_string(lib.get(props, p))
} else := {"ok": false, "path": s3p, "reason": sprintf("the pipeline definition is stored in S3 (%s), which the policy does not read", [s3p])} if {
	s3p := [x | some x in s3_location_paths; lib.set_or_unknown(props, unk, x)][0]
} else := {"ok": false, "path": p, "reason": sprintf("%s is missing", [p])}

body_raw(props, p) := lib.get(props, p)

s3_location_paths := ["PipelineDefinitionS3Location", "PipelineDefinition.PipelineDefinitionS3Location"]

# Every step with its path (relative to the properties), including the steps nested in
# Condition steps (Arguments.IfSteps / Arguments.ElseSteps) at any depth. `walk` visits every node
# of the definition once; a node is a step when its path is Steps.<i> followed by any number of
# Arguments.(IfSteps|ElseSteps).<i> whose every ancestor step is a Condition step. A step that is
# not an object (a pipeline expression, a placeholder) is kept: its Arguments are then unknown.
pipeline_steps(definition, base) := [{"path": concat(".", [base, path_string(c[0])]), "step": c[1]} |
	some c in candidates
	every n in nesting_prefixes(c[0]) {
		path_string(array.slice(c[0], 0, n)) in conditions
	}
] if {
	candidates := [[p, s] |
		walk(definition, [p, s])
		step_path(p)
	]
	conditions := {path_string(c[0]) | some c in candidates; is_object(c[1]); c[1].Type == "Condition"}
}

# The lengths of the ancestor step paths of a step path (2, 5, 8, ... below its own length).
nesting_prefixes(p) := [n | some j in numbers.range(0, count(p)); n := 2 + (3 * j); n < count(p)]

# Steps.<i> then (Arguments, IfSteps|ElseSteps, <i>)*.
step_path(p) if {
	count(p) >= 2
	(count(p) - 2) % 3 == 0
	p[0] == "Steps"
	is_number(p[1])
	every n in nesting_prefixes(p) {
		p[n] == "Arguments"
		p[n + 1] in {"IfSteps", "ElseSteps"}
		is_number(p[n + 2])
	}
}

path_string(p) := concat(".", [x | some e in p; x := format_path_element(e)])

format_path_element(e) := e if is_string(e)

else := sprintf("%v", [e])

# Pipeline step type -> the document type whose Create request its Arguments are.
step_resource_type(step) := "AWS::SageMaker::AutoMLJobV2" if {
	step.Type == "AutoML"
	step.Arguments.AutoMLProblemTypeConfig
} else := step_type(step.Type)

step_type("Training") := "AWS::SageMaker::TrainingJob"

step_type("Processing") := "AWS::SageMaker::ProcessingJob"

step_type("Transform") := "AWS::SageMaker::TransformJob"

step_type("Tuning") := "AWS::SageMaker::HyperParameterTuningJob"

step_type("AutoML") := "AWS::SageMaker::AutoMLJob"

step_type("Model") := "AWS::SageMaker::Model"

step_type("Compilation") := "AWS::SageMaker::CompilationJob"

# QualityCheck and ClarifyCheck steps run a processing job: their Arguments are its request.
step_type("QualityCheck") := "AWS::SageMaker::ProcessingJob"

step_type("ClarifyCheck") := "AWS::SageMaker::ProcessingJob"

# RegisterModel: a CreateModelPackage request. A model package has no network settings (SM-03 applies
# to the model later created from it); its validation profiles run batch transform jobs (SM-12).
step_type("RegisterModel") := "AWS::SageMaker::ModelPackage"

step_name(step) := step.Name if is_string(step.Name)

else := "<unnamed>"

# ---------------------------------------------------------------------------
# Instance storage: local NVMe instance types cannot take a volume KMS key
# ---------------------------------------------------------------------------

# The storage of an instance type, from the bundle data data.guardrails.facts.instance_storage
# (policies/data/instance_storage.json): "nvme" (local NVMe instance storage, encrypted by the
# instance's hardware module; AWS refuses a volume key), "ebs", or "unknown" for a value that is not
# "ml.<family>.<size>" or a family the data does not list. Unknown is never assumed either way.
instance_storage(t) := kind if {
	is_string(t)
	parts := split(t, ".")
	count(parts) == 3
	parts[0] == "ml"
	kind := data.guardrails.facts.instance_storage.families[parts[1]]
} else := "unknown"

# The storage kinds of the instance types a request names at one source path: a dotted path
# ("ResourceConfig.InstanceType") or a list path with "[]." before the field of each element
# ("ResourceConfig.InstanceGroups[].InstanceType"). An unknown value (listed, or a placeholder on
# the path) is "unknown"; an absent one names no type.
source_storage(obj, unk, src) := type_storage(obj, unk, src) if {
	not contains(src, "[]")
} else := [k |
	parts := split(src, "[].")
	some e in lib.elements(obj, unk, parts[0])
	some k in type_storage(e.obj, e.unk, parts[1])
]

type_storage(obj, unk, path) := ["unknown"] if {
	lib.unknown_at(obj, unk, path)
} else := [instance_storage(v)] if {
	v := object.get(obj, split(path, "."), null)
	v != null
} else := []

# Whether the volume key applies to the instances named at the source paths: "exempt" when some
# instance type has local NVMe storage (AWS refuses a volume key for the request), "unknown" when
# none is known to and some type is not knowable, "required" otherwise (EBS-backed, or no type named).
volume_key_need(obj, unk, sources) := need_of([k | some s in sources; some k in source_storage(obj, unk, s)])

need_of(kinds) := "exempt" if {
	"nvme" in kinds
} else := "unknown" if {
	"unknown" in kinds
} else := "required"

# The instance-type paths of each request shape whose volume key the local-storage rule governs.
training_instance_sources := ["ResourceConfig.InstanceType", "ResourceConfig.InstanceGroups[].InstanceType"]

hpo_instance_sources(def) := [
	"HyperParameterTuningResourceConfig.InstanceType",
	"HyperParameterTuningResourceConfig.InstanceConfigs[].InstanceType",
] if {
	hpo_volume_key_path(def) == "HyperParameterTuningResourceConfig.VolumeKmsKeyId"
} else := training_instance_sources
