package guardrails.checks.sagemaker_network

# Check functions of the SageMaker network controls SM-01 .. SM-09 and SM-21 (rule package
# guardrails.rules.sagemaker_network). Each takes (properties, unknown-list) of one request
# shape and returns a set of violations with paths relative to those properties,
# so the composition controls (SM-17, SM-19) can apply them to nested documents.

import data.guardrails.lib
import data.guardrails.lib.sagemaker as sm
import rego.v1

# ---------------------------------------------------------------------------
# Dispatch: resource type -> violations (also used by SM-19 for pipeline steps)
# ---------------------------------------------------------------------------

deny_checks("AWS::SageMaker::TrainingJob", p, u) := training_vpc(p, u)

deny_checks("AWS::SageMaker::HyperParameterTuningJob", p, u) := hpo_vpc(p, u)

deny_checks("AWS::SageMaker::ProcessingJob", p, u) := processing_vpc(p, u)

deny_checks("AWS::SageMaker::Model", p, u) := model_vpc(p, u)

deny_checks("AWS::SageMaker::NotebookInstance", p, u) := notebook_vpc(p, u) | notebook_internet(p, u)

deny_checks("AWS::SageMaker::Domain", p, u) := domain_vpc_only(p, u)

deny_checks("AWS::SageMaker::AutoMLJob", p, u) := automl_v1_vpc(p, u)

deny_checks("AWS::SageMaker::AutoMLJobV2", p, u) := automl_v2_vpc(p, u)

deny_checks("AWS::SageMaker::CompilationJob", p, u) := compilation_vpc(p, u)

deny_checks("AWS::SageMaker::LabelingJob", p, u) := labeling_vpc(p, u)

deny_checks("AWS::SageMaker::MonitoringSchedule", p, u) := schedule_vpc(p, u)

deny_checks("AWS::SageMaker::DataQualityJobDefinition", p, u) := monitoring_vpc(p, u)

deny_checks("AWS::SageMaker::ModelQualityJobDefinition", p, u) := monitoring_vpc(p, u)

deny_checks("AWS::SageMaker::ModelBiasJobDefinition", p, u) := monitoring_vpc(p, u)

deny_checks("AWS::SageMaker::ModelExplainabilityJobDefinition", p, u) := monitoring_vpc(p, u)

warn_checks("AWS::SageMaker::TrainingJob", p, u) := training_isolation(p, u) | training_traffic(p, u)

warn_checks("AWS::SageMaker::HyperParameterTuningJob", p, u) := hpo_isolation_traffic(p, u)

warn_checks("AWS::SageMaker::Model", p, u) := model_isolation(p, u)

warn_checks("AWS::SageMaker::ProcessingJob", p, u) := processing_isolation(p, u) | processing_traffic(p, u)

warn_checks("AWS::SageMaker::AutoMLJob", p, u) := automl_v1_traffic(p, u)

warn_checks("AWS::SageMaker::AutoMLJobV2", p, u) := automl_v2_traffic(p, u)

warn_checks("AWS::SageMaker::MonitoringSchedule", p, u) := schedule_isolation_traffic(p, u)

warn_checks("AWS::SageMaker::DataQualityJobDefinition", p, u) := monitoring_isolation(p, u) | monitoring_traffic(p, u)

warn_checks("AWS::SageMaker::ModelQualityJobDefinition", p, u) := monitoring_isolation(p, u) | monitoring_traffic(p, u)

warn_checks("AWS::SageMaker::ModelBiasJobDefinition", p, u) := monitoring_isolation(p, u) | monitoring_traffic(p, u)

warn_checks("AWS::SageMaker::ModelExplainabilityJobDefinition", p, u) := monitoring_isolation(p, u) | monitoring_traffic(p, u)

# ---------------------------------------------------------------------------
# Shared shapes
# ---------------------------------------------------------------------------

# VpcConfig-style block at base: Subnets and SecurityGroupIds must be non-empty.
# The passing case (both set) is tested first, before any message is built.
vpc(control, obj, unk, base, what) := set() if {
	c := object.get(obj, split(base, "."), null)
	s := c.Subnets
	s != null
	s != ""
	s != []
	s != {}
	g := c.SecurityGroupIds
	g != null
	g != ""
	g != []
	g != {}
} else := subnets | groups if {
	subnets := lib.require_present(control, obj, unk, concat(".", [base, "Subnets"]), subnets_missing(base, what))
	groups := lib.require_present(control, obj, unk, concat(".", [base, "SecurityGroupIds"]), groups_missing(base, what))
}

# The two messages of vpc(), written once (model_vpc's direct branch builds them too).
subnets_missing(base, what) := sprintf(
	"%s.Subnets is missing or empty: without customer subnets the %s runs in the SageMaker service network (the AWS default), outside your VPC controls.",
	[base, what],
)

groups_missing(base, what) := sprintf(
	"%s.SecurityGroupIds is missing or empty: without security groups the %s is not placed in your VPC (AWS default: the SageMaker service network).",
	[base, what],
)

# The passing case (the flag literally true and not listed as unknown) is
# tested before the reason is built.
isolation(obj, unk, path, what) := set() if {
	object.get(obj, split(path, "."), null) == true
	not strings.any_prefix_match(path, unk)
} else := lib.require_true("SM-08", obj, unk, path, sprintf(
	"the %s can make outbound network calls; set it to true.",
	[what],
))

traffic(obj, unk, path, what) := set() if {
	object.get(obj, split(path, "."), null) == true
	not strings.any_prefix_match(path, unk)
} else := lib.require_true("SM-09", obj, unk, path, sprintf(
	"traffic between the %s instances is not encrypted; set it to true.",
	[what],
))

# ---------------------------------------------------------------------------
# SM-01 Training runs in a customer VPC
# ---------------------------------------------------------------------------

training_vpc(obj, unk) := vpc("SM-01", obj, unk, "VpcConfig", "training job")

hpo_vpc(props, unk) := union({lib.nest(training_vpc(d.obj, d.unk), d.path, d.label) |
	some d in sm.hpo_definitions(props, unk)
})

# ---------------------------------------------------------------------------
# SM-02 Processing runs in a customer VPC
# ---------------------------------------------------------------------------

processing_vpc(obj, unk) := vpc("SM-02", obj, unk, "NetworkConfig.VpcConfig", "processing job")

# ---------------------------------------------------------------------------
# SM-03 Models run in a customer VPC
# ---------------------------------------------------------------------------

# The passing case (both lists set) is read with plain references first.
model_vpc(obj, unk) := set() if {
	s := obj.VpcConfig.Subnets
	s != null
	s != ""
	s != []
	s != {}
	g := obj.VpcConfig.SecurityGroupIds
	g != null
	g != ""
	g != []
	g != {}
} else := {
	lib.violation("SM-03", subnets_missing("VpcConfig", "model"), "VpcConfig.Subnets"),
	lib.violation("SM-03", groups_missing("VpcConfig", "model"), "VpcConfig.SecurityGroupIds"),
} if {
	# No VpcConfig at all and no unknown entry that is a string prefix of either
	# path: vpc() finds both missing (not listed, no placeholder above them, not
	# maybe absent) and builds these two violations, at several times the cost.
	object.get(obj, "VpcConfig", null) == null
	not strings.any_prefix_match(["VpcConfig.Subnets", "VpcConfig.SecurityGroupIds"], unk)
} else := vpc("SM-03", obj, unk, "VpcConfig", "model")

# ---------------------------------------------------------------------------
# SM-04 Notebook instances run in a customer VPC
# ---------------------------------------------------------------------------

notebook_vpc(obj, unk) := set() if {
	s := obj.SubnetId
	s != null
	s != ""
	s != []
	s != {}
	g := obj.SecurityGroupIds
	g != null
	g != ""
	g != []
	g != {}
} else := subnet | groups if {
	subnet := lib.require_present("SM-04", obj, unk, "SubnetId", "SubnetId is missing: the notebook instance runs in the SageMaker service VPC (the AWS default), not in your VPC.")
	groups := lib.require_present("SM-04", obj, unk, "SecurityGroupIds", "SecurityGroupIds is missing or empty: the notebook instance has no security groups of yours (AWS default: the SageMaker service VPC).")
}

# ---------------------------------------------------------------------------
# SM-05 Notebook instances have no direct internet access
# ---------------------------------------------------------------------------

# The passing case first: the literal value, nothing listed as unknown at or above it.
notebook_internet(obj, unk) := set() if {
	obj.DirectInternetAccess == "Disabled"
	not strings.any_prefix_match("DirectInternetAccess", unk)
} else := lib.require_value(
	"SM-05", obj, unk, "DirectInternetAccess", "Disabled", "Enabled",
	"the notebook instance has direct internet access through the SageMaker service network; set it to Disabled and route traffic through your VPC.",
)

# ---------------------------------------------------------------------------
# SM-06 Studio domains are VPC-only
# ---------------------------------------------------------------------------

domain_vpc_only(obj, unk) := set() if {
	obj.AppNetworkAccessType == "VpcOnly"
	not strings.any_prefix_match("AppNetworkAccessType", unk)
} else := lib.require_value(
	"SM-06", obj, unk, "AppNetworkAccessType", "VpcOnly", "PublicInternetOnly",
	"Studio apps reach the internet through the SageMaker service network; set it to VpcOnly.",
)

# ---------------------------------------------------------------------------
# SM-07 Other ML jobs run in a customer VPC
# ---------------------------------------------------------------------------

automl_v1_vpc(obj, unk) := vpc("SM-07", obj, unk, "AutoMLJobConfig.SecurityConfig.VpcConfig", "AutoML job")

automl_v2_vpc(obj, unk) := vpc("SM-07", obj, unk, "SecurityConfig.VpcConfig", "AutoML job")

compilation_vpc(obj, unk) := vpc("SM-07", obj, unk, "VpcConfig", "compilation job")

# Monitoring job definition shape (standalone definitions and the inline one).
monitoring_vpc(obj, unk) := vpc("SM-07", obj, unk, "NetworkConfig.VpcConfig", "monitoring job")

schedule_vpc(props, unk) := union({lib.nest(monitoring_vpc(d.obj, d.unk), d.path, d.label) |
	some d in sm.inline_monitoring(props, unk)
})

# Only automated data labeling runs SageMaker compute that can be placed in a VPC
# (LabelingJobResourceConfig exists only inside LabelingJobAlgorithmsConfig).
labeling_vpc(obj, unk) := vpc(
	"SM-07", obj, unk,
	"LabelingJobAlgorithmsConfig.LabelingJobResourceConfig.VpcConfig",
	"automated data labeling job",
) if {
	lib.set_or_unknown(obj, unk, "LabelingJobAlgorithmsConfig")
} else := set()

# ---------------------------------------------------------------------------
# SM-21 HyperPod clusters run in a customer VPC
# ---------------------------------------------------------------------------

# The cluster-level VpcConfig places every instance group in your VPC; an instance group's
# OverrideVpcConfig, when given, must itself name subnets and security groups.
cluster_vpc(obj, unk) := vpc("SM-21", obj, unk, "VpcConfig", "HyperPod cluster") | cluster_group_overrides(obj, unk)

cluster_group_overrides(obj, unk) := set() if {
	object.get(obj, "InstanceGroups", null) == null
	not strings.any_prefix_match("InstanceGroups", unk)
} else := union({lib.nest(vpc("SM-21", e.obj, e.unk, "OverrideVpcConfig", "instance group"), e.path, e.path) |
	some e in lib.elements(obj, unk, "InstanceGroups")
	lib.present(e.obj, "OverrideVpcConfig")
})

# ---------------------------------------------------------------------------
# SM-08 Network isolation / SM-09 Inter-container traffic encryption
# ---------------------------------------------------------------------------

training_isolation(obj, unk) := isolation(obj, unk, "EnableNetworkIsolation", "training containers")

training_traffic(obj, unk) := traffic(obj, unk, "EnableInterContainerTrafficEncryption", "training")

hpo_isolation_traffic(props, unk) := union({lib.nest(training_isolation(d.obj, d.unk) | training_traffic(d.obj, d.unk), d.path, d.label) |
	some d in sm.hpo_definitions(props, unk)
})

model_isolation(obj, unk) := set() if {
	obj.EnableNetworkIsolation == true
	not strings.any_prefix_match("EnableNetworkIsolation", unk)
} else := isolation(obj, unk, "EnableNetworkIsolation", "model")

processing_isolation(obj, unk) := isolation(obj, unk, "NetworkConfig.EnableNetworkIsolation", "processing containers")

processing_traffic(obj, unk) := traffic(obj, unk, "NetworkConfig.EnableInterContainerTrafficEncryption", "processing")

automl_v1_traffic(obj, unk) := traffic(obj, unk, "AutoMLJobConfig.SecurityConfig.EnableInterContainerTrafficEncryption", "AutoML")

automl_v2_traffic(obj, unk) := traffic(obj, unk, "SecurityConfig.EnableInterContainerTrafficEncryption", "AutoML")

monitoring_isolation(obj, unk) := isolation(obj, unk, "NetworkConfig.EnableNetworkIsolation", "monitoring containers")

monitoring_traffic(obj, unk) := traffic(obj, unk, "NetworkConfig.EnableInterContainerTrafficEncryption", "monitoring job")

schedule_isolation_traffic(props, unk) := union({lib.nest(monitoring_isolation(d.obj, d.unk) | monitoring_traffic(d.obj, d.unk), d.path, d.label) |
	some d in sm.inline_monitoring(props, unk)
})
