package guardrails.checks.sagemaker_encryption

# Check functions of the SageMaker encryption-at-rest controls SM-10 .. SM-16, "customer-managed KMS
# key" (rule package guardrails.rules.sagemaker_encryption). Each takes (properties, unknown-list) of one request
# shape and returns a set of violations with paths relative to those properties,
# so the composition controls (SM-17, SM-19) can apply them to nested documents.

import data.guardrails.lib
import data.guardrails.lib.kms as kmslib
import data.guardrails.lib.sagemaker as sm
import rego.v1

# ---------------------------------------------------------------------------
# Dispatch: resource type -> violations (also used by SM-19 for pipeline steps)
# ---------------------------------------------------------------------------

deny_checks("AWS::SageMaker::TrainingJob", p, u) := training_kms(p, u)

deny_checks("AWS::SageMaker::HyperParameterTuningJob", p, u) := hpo_kms(p, u)

deny_checks("AWS::SageMaker::ProcessingJob", p, u) := processing_kms(p, u)

deny_checks("AWS::SageMaker::TransformJob", p, u) := transform_kms(p, u)

deny_checks("AWS::SageMaker::EndpointConfig", p, u) := endpoint_config_kms(p, u)

deny_checks("AWS::SageMaker::NotebookInstance", p, u) := notebook_kms(p, u)

deny_checks("AWS::SageMaker::Domain", p, u) := domain_kms(p, u)

deny_checks("AWS::SageMaker::AutoMLJob", p, u) := automl_v1_kms(p, u)

deny_checks("AWS::SageMaker::AutoMLJobV2", p, u) := automl_v2_kms(p, u)

deny_checks("AWS::SageMaker::CompilationJob", p, u) := compilation_kms(p, u)

deny_checks("AWS::SageMaker::LabelingJob", p, u) := labeling_kms(p, u)

deny_checks("AWS::SageMaker::MonitoringSchedule", p, u) := schedule_kms(p, u)

deny_checks("AWS::SageMaker::DataQualityJobDefinition", p, u) := monitoring_definition_kms(p, u, "DataQualityJobOutputConfig")

deny_checks("AWS::SageMaker::ModelQualityJobDefinition", p, u) := monitoring_definition_kms(p, u, "ModelQualityJobOutputConfig")

deny_checks("AWS::SageMaker::ModelBiasJobDefinition", p, u) := monitoring_definition_kms(p, u, "ModelBiasJobOutputConfig")

deny_checks("AWS::SageMaker::ModelExplainabilityJobDefinition", p, u) := monitoring_definition_kms(p, u, "ModelExplainabilityJobOutputConfig")

deny_checks("AWS::SageMaker::FeatureGroup", p, u) := feature_group_kms(p, u)

# ---------------------------------------------------------------------------
# Shared shape
# ---------------------------------------------------------------------------

# The section is "customer-managed KMS key": a key that is set must not be an AWS managed key
# (alias/aws/..., as an alias name or an alias ARN in any partition, or a key id / key ARN whose
# related KMS document says KeyManager AWS; lib.kms). An unknown value is not judged here (it
# counts as set), nor is a key KMS could not describe (the presence convention).
# The common case first: no "alias/aws/" anywhere in the value and no KMS answer naming it AWS
# managed settles it with two built-in calls and a set lookup.
customer_managed(control, path, what, v) := set() if {
	is_string(v)
	not contains(lower(v), "alias/aws/")
	not data.guardrails.lib.kms.managed_by_aws[v]
} else := set() if {
	kmslib.aws_managed(v) == false
} else := {lib.violation(control, sprintf("%s: %s for %s.", [path, kmslib.aws_managed_reason(v), what]), path)}

# A KMS key field that must be set to a customer-managed key (an unknown value counts as set).
# The passing case (the key is set) is tested before the message is built.
kms(control, obj, unk, path, what) := customer_managed(control, path, what, v) if {
	v := object.get(obj, split(path, "."), null)
	v != null
	v != ""
	v != []
	v != {}
} else := lib.require_present(control, obj, unk, path, sprintf(
	"%s is missing: %s is encrypted only with an AWS managed key (the AWS default), not a customer-managed KMS key.",
	[path, what],
))

# A volume KMS key: like `kms`, except that it cannot be required for instance types with local
# NVMe instance storage (AWS refuses a volume key for them and encrypts that storage with the
# instance's hardware module). `sources` are the request's instance-type paths
# (sm.volume_key_need); the instance types are read only when the key is missing.
volume_kms(control, obj, unk, path, what, sources) := customer_managed(control, path, what, v) if {
	v := object.get(obj, split(path, "."), null)
	v != null
	v != ""
	v != []
	v != {}
} else := set() if {
	lib.unknown_at(obj, unk, path)
} else := volume_missing(control, path, what, sm.volume_key_need(obj, unk, sources))

volume_missing(_, _, _, "exempt") := set()

volume_missing(control, path, what, "unknown") := {lib.unknown_violation(
	control,
	sprintf(
		"%s is missing and the instance type is not knowable now (or not in the bundled instance-storage list); the key is required unless the instance type has local NVMe storage.",
		[path],
	),
	path,
)}

volume_missing(control, path, what, "required") := {lib.violation(control, sprintf(
	"%s is missing: %s is encrypted only with an AWS managed key (the AWS default), not a customer-managed KMS key (the instance type has no local NVMe storage, so the volume key applies).",
	[path, what],
), path)}

# ---------------------------------------------------------------------------
# SM-10 Training output and volumes use a KMS key
# ---------------------------------------------------------------------------

training_kms(obj, unk) := kms("SM-10", obj, unk, "OutputDataConfig.KmsKeyId", "the training output in S3") | volume_kms(
	"SM-10", obj, unk, "ResourceConfig.VolumeKmsKeyId",
	"the storage volume of the training instances", data.guardrails.lib.sagemaker.training_instance_sources,
)

# HPO definitions may use HyperParameterTuningResourceConfig instead of ResourceConfig.
hpo_definition_kms(obj, unk) := kms("SM-10", obj, unk, "OutputDataConfig.KmsKeyId", "the training output in S3") | volume_kms(
	"SM-10", obj, unk, sm.hpo_volume_key_path(obj),
	"the storage volume of the training instances", sm.hpo_instance_sources(obj),
)

hpo_kms(props, unk) := union({lib.nest(hpo_definition_kms(d.obj, d.unk), d.path, d.label) |
	some d in sm.hpo_definitions(props, unk)
})

# ---------------------------------------------------------------------------
# SM-11 Processing output and volumes use a KMS key
# ---------------------------------------------------------------------------

# The output key applies when the job has outputs (ProcessingOutputConfig is optional).
processing_kms(obj, unk) := processing_output_kms(obj, unk) | volume_kms(
	"SM-11", obj, unk, "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
	"the storage volume of the processing instances", ["ProcessingResources.ClusterConfig.InstanceType"],
)

processing_output_kms(obj, unk) := kms("SM-11", obj, unk, "ProcessingOutputConfig.KmsKeyId", "the processing output in S3") if {
	lib.set_or_unknown(obj, unk, "ProcessingOutputConfig")
} else := set()

# ---------------------------------------------------------------------------
# SM-12 Batch transform output and volumes use a KMS key
# ---------------------------------------------------------------------------

transform_kms(obj, unk) := kms("SM-12", obj, unk, "TransformOutput.KmsKeyId", "the batch transform output in S3") | volume_kms(
	"SM-12", obj, unk, "TransformResources.VolumeKmsKeyId",
	"the storage volume of the transform instances", ["TransformResources.InstanceType"],
)

# A model package (only as a pipeline RegisterModel step: a CreateModelPackage request; not a
# resource kind of its own): its validation profiles each run a batch transform job (TransformJobDefinition has
# the CreateTransformJob shape of TransformOutput and TransformResources).
model_package_kms(props, unk) := union({lib.nest(transform_kms(d.obj, d.unk), d.path, d.path) |
	some e in lib.elements(props, unk, "ValidationSpecification.ValidationProfiles")
	d := nested_object(e.obj, e.unk, e.path, "TransformJobDefinition")
})

# The object at key of obj as a nested context; an unknown or placeholder value is wholly unknown.
nested_object(obj, unk, base, key) := {"path": concat(".", [base, key]), "obj": {}, "unk": [""]} if {
	lib.unknown_at(obj, unk, key)
} else := {"path": concat(".", [base, key]), "obj": lib.as_object(object.get(obj, key, {})), "unk": lib.sub_unknown(unk, key)}

# ---------------------------------------------------------------------------
# SM-13 Endpoint storage uses a KMS key
# ---------------------------------------------------------------------------

endpoint_config_kms(obj, unk) := (endpoint_storage_kms(obj, unk) | endpoint_capture_kms(obj, unk)) | endpoint_async_kms(obj, unk)

# The same with the variants already listed (endpoint_variants(obj, unk)), for SM-17.
endpoint_config_kms_with(obj, unk, variants) := (endpoint_storage_kms_with(obj, unk, variants) | endpoint_capture_kms(obj, unk)) | endpoint_async_kms(obj, unk)

# Without ShadowProductionVariants (absent, and no unknown entry that is even a
# string prefix of the name) the shadow list is empty.
endpoint_variants(obj, unk) := lib.elements(obj, unk, "ProductionVariants") if {
	object.get(obj, "ShadowProductionVariants", null) == null
	not strings.any_prefix_match("ShadowProductionVariants", unk)
} else := array.concat(
	lib.elements(obj, unk, "ProductionVariants"),
	lib.elements(obj, unk, "ShadowProductionVariants"),
)

# A variant whose content cannot be known (the list or the element is unknown).
opaque_variant(e) if "" in e.unk

# Serverless is an exemption, so it must be known: an unknown ServerlessConfig
# (for example an Fn::If that may drop it) leaves the decision open.
known_serverless(e) if {
	not opaque_variant(e)
	lib.present(e.obj, "ServerlessConfig")
	not lib.unknown_at(e.obj, e.unk, "ServerlessConfig")
}

known_instance_based(e) if {
	not opaque_variant(e)
	not lib.present(e.obj, "ServerlessConfig")
	not lib.unknown_at(e.obj, e.unk, "ServerlessConfig")
}

# What a variant may be, as it bears on the storage key: a set of "serverless" (cannot use
# KmsKeyId), "nvme" (an instance type with local NVMe storage: AWS refuses KmsKeyId for the whole
# config) and "ebs" (the key applies; also an instance-based variant that names no instance type).
# A known variant is one of them; an unknown ServerlessConfig, instance type or variant leaves
# several open.
# The common case first: a known instance-based variant (no ServerlessConfig, nothing listed as
# unknown there or at its InstanceType).
variant_kinds(e) := type_kinds(object.get(e.obj, "InstanceType", null)) if {
	not "" in e.unk
	object.get(e.obj, "ServerlessConfig", null) == null
	not strings.any_prefix_match("ServerlessConfig", e.unk)
	not strings.any_prefix_match("InstanceType", e.unk)
} else := {"serverless", "nvme", "ebs"} if {
	opaque_variant(e)
} else := {"serverless"} if {
	known_serverless(e)
} else := instance_kinds(e) if {
	known_instance_based(e)
} else := {"serverless"} | instance_kinds(e)

# An instance type value (null: none named) as the kinds it allows.
type_kinds(t) := {"ebs"} if {
	t == null
} else := {k} if {
	k := sm.instance_storage(t)
	k != "unknown"
} else := {"nvme", "ebs"}

instance_kinds(e) := {"ebs"} if {
	sm.type_storage(e.obj, e.unk, "InstanceType") == []
} else := {"nvme", "ebs"} if {
	sm.type_storage(e.obj, e.unk, "InstanceType") == ["unknown"]
} else := {k | some k in sm.type_storage(e.obj, e.unk, "InstanceType")}

# KmsKeyId cannot be given (so it is not required) when every variant, shadow variants included,
# is known to be serverless, or when any variant runs on an instance type with local NVMe storage
# (the SageMaker API reference: CreateEndpointConfig then fails with a KmsKeyId). The variants are
# classified only when the key is missing.
# The common case first: a customer-managed key literally set.
endpoint_storage_kms(obj, unk) := set() if {
	v := obj.KmsKeyId
	is_string(v)
	v != ""
	not contains(lower(v), "alias/aws/")
	not data.guardrails.lib.kms.managed_by_aws[v]
} else := endpoint_storage_kms_with(obj, unk, endpoint_variants(obj, unk)) if {
	# No KmsKeyId and nothing listed that could cover it: the key is not set or
	# unknown (see endpoint_storage_kms_with).
	object.get(obj, "KmsKeyId", null) == null
	not strings.any_prefix_match("KmsKeyId", unk)
} else := endpoint_storage_key(obj) if {
	lib.set_or_unknown(obj, unk, "KmsKeyId")
} else := endpoint_storage_kms_with(obj, unk, endpoint_variants(obj, unk))

endpoint_storage_kms_with(obj, unk, vs) := set() if {
	v := obj.KmsKeyId
	is_string(v)
	v != ""
	not contains(lower(v), "alias/aws/")
	not data.guardrails.lib.kms.managed_by_aws[v]
} else := endpoint_storage_decision([variant_kinds(e) | some e in vs]) if {
	# No KmsKeyId and no unknown entry that is a string prefix of it ("" included):
	# neither set nor unknown nor maybe absent, so the last branch's decision.
	object.get(obj, "KmsKeyId", null) == null
	not strings.any_prefix_match("KmsKeyId", unk)
} else := endpoint_storage_key(obj) if {
	lib.set_or_unknown(obj, unk, "KmsKeyId")
} else := endpoint_storage_maybe(endpoint_storage_decision([variant_kinds(e) | some e in vs])) if {
	lib.maybe_absent(obj, unk, "KmsKeyId")
} else := endpoint_storage_decision([variant_kinds(e) | some e in vs])

# KmsKeyId may be absent (it depends on a value not knowable now): a "missing" outcome is unknown,
# not definite; the passing and unknown outcomes stand.
endpoint_storage_maybe(found) := {lib.unknown_violation(
	"SM-13",
	"KmsKeyId may be absent (it depends on a value not knowable now): the ML storage volumes of the endpoint instances would then be encrypted only with an AWS managed key (the AWS default), not a customer-managed KMS key.",
	"KmsKeyId",
)} if {
	found == endpoint_storage_missing
} else := found

# Missing is a definite failure when no variant may have local NVMe storage and some variant is
# certainly not serverless; it passes when one certainly has local NVMe storage or all are serverless.
endpoint_storage_decision(ks) := endpoint_storage_missing if {
	every k in ks {
		not "nvme" in k
	}
	some k in ks
	not "serverless" in k
} else := set() if {
	some k in ks
	k == {"nvme"}
} else := set() if {
	count(ks) > 0
	every k in ks {
		k == {"serverless"}
	}
} else := endpoint_storage_missing if {
	count(ks) == 0
} else := {lib.unknown_violation(
	"SM-13",
	"KmsKeyId is missing and whether every production variant is serverless, or some variant runs on an instance type with local NVMe storage (the cases where KmsKeyId cannot be given), is not knowable now.",
	"KmsKeyId",
)}

endpoint_storage_key(obj) := customer_managed(
	"SM-13", "KmsKeyId", "the ML storage volumes of the endpoint instances",
	object.get(obj, "KmsKeyId", null),
)

endpoint_storage_missing := {lib.violation(
	"SM-13",
	"KmsKeyId is missing: the ML storage volumes of the endpoint instances are encrypted only with an AWS managed key (the AWS default), not a customer-managed KMS key.",
	"KmsKeyId",
)}

# Capture is on when DataCaptureConfig is present unless EnableCapture is false.
# The common case first: no DataCaptureConfig and no unknown entry that is even a
# string prefix of the name (so it is neither set nor unknown).
endpoint_capture_kms(obj, unk) := set() if {
	object.get(obj, "DataCaptureConfig", null) == null
	not strings.any_prefix_match("DataCaptureConfig", unk)
} else := set() if {
	not lib.set_or_unknown(obj, unk, "DataCaptureConfig")
} else := endpoint_capture_key(obj, unk) if {
	lib.set_or_unknown(obj, unk, "DataCaptureConfig.KmsKeyId")
} else := {lib.unknown_violation(
	"SM-13",
	"DataCaptureConfig.KmsKeyId is missing and DataCaptureConfig.EnableCapture is not knowable now; it is required unless capture is disabled.",
	"DataCaptureConfig.KmsKeyId",
)} if {
	lib.unknown_at(obj, unk, "DataCaptureConfig.EnableCapture")
} else := set() if {
	lib.is_false(lib.get(obj, "DataCaptureConfig.EnableCapture"))
} else := {lib.violation(
	"SM-13",
	"DataCaptureConfig.KmsKeyId is missing while data capture is enabled (EnableCapture defaults to true): captured requests and responses are encrypted only with an AWS managed key.",
	"DataCaptureConfig.KmsKeyId",
)}

# A capture key that is set: an AWS managed one fails unless capture is known to be disabled.
endpoint_capture_key(obj, unk) := set() if {
	v := obj.DataCaptureConfig.KmsKeyId
	is_string(v)
	not contains(lower(v), "alias/aws/")
	not data.guardrails.lib.kms.managed_by_aws[v]
} else := set() if {
	not lib.unknown_at(obj, unk, "DataCaptureConfig.EnableCapture")
	lib.is_false(lib.get(obj, "DataCaptureConfig.EnableCapture"))
} else := customer_managed(
	"SM-13", "DataCaptureConfig.KmsKeyId", "the captured requests and responses",
	lib.get(obj, "DataCaptureConfig.KmsKeyId"),
)

endpoint_async_kms(obj, unk) := set() if {
	object.get(obj, "AsyncInferenceConfig", null) == null
	not strings.any_prefix_match("AsyncInferenceConfig", unk)
} else := kms(
	"SM-13", obj, unk, "AsyncInferenceConfig.OutputConfig.KmsKeyId",
	"the asynchronous inference output in S3",
) if {
	lib.set_or_unknown(obj, unk, "AsyncInferenceConfig")
} else := set()

# ---------------------------------------------------------------------------
# SM-14 Notebook volumes use a KMS key
# ---------------------------------------------------------------------------

# The passing case (the key is set) is read with a plain reference first.
notebook_kms(obj, unk) := set() if {
	v := obj.KmsKeyId
	is_string(v)
	v != ""
	not contains(lower(v), "alias/aws/")
	not data.guardrails.lib.kms.managed_by_aws[v]
} else := kms("SM-14", obj, unk, "KmsKeyId", "the notebook instance's ML storage volume")

# ---------------------------------------------------------------------------
# SM-15 Studio domain storage uses a KMS key
# ---------------------------------------------------------------------------

# HomeEfsFileSystemKmsKeyId is the deprecated API alias of KmsKeyId.
# KmsKeyId set passes whatever the alias holds; it is read with a plain reference first.
domain_kms(obj, unk) := set() if {
	v := obj.KmsKeyId
	is_string(v)
	v != ""
	not contains(lower(v), "alias/aws/")
	not data.guardrails.lib.kms.managed_by_aws[v]
} else := kms("SM-15", obj, unk, "KmsKeyId", "the domain's EFS home volume") if {
	lib.present(obj, "KmsKeyId")
} else := customer_managed(
	"SM-15", "HomeEfsFileSystemKmsKeyId", "the domain's EFS home volume",
	object.get(obj, "HomeEfsFileSystemKmsKeyId", null),
) if {
	lib.set_or_unknown(obj, unk, "HomeEfsFileSystemKmsKeyId")
} else := kms("SM-15", obj, unk, "KmsKeyId", "the domain's EFS home volume")

# ---------------------------------------------------------------------------
# SM-16 Other ML jobs encrypt output and volumes
# ---------------------------------------------------------------------------

automl_v1_kms(obj, unk) := kms("SM-16", obj, unk, "OutputDataConfig.KmsKeyId", "the AutoML output in S3") | kms(
	"SM-16", obj, unk, "AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId",
	"the storage volume of the AutoML instances",
)

automl_v2_kms(obj, unk) := kms("SM-16", obj, unk, "OutputDataConfig.KmsKeyId", "the AutoML output in S3") | kms(
	"SM-16", obj, unk, "SecurityConfig.VolumeKmsKeyId",
	"the storage volume of the AutoML instances",
)

compilation_kms(obj, unk) := kms("SM-16", obj, unk, "OutputConfig.KmsKeyId", "the compiled model in S3")

# The volume key exists only for automated data labeling (LabelingJobAlgorithmsConfig).
labeling_kms(obj, unk) := kms("SM-16", obj, unk, "OutputConfig.KmsKeyId", "the labeling output in S3") | labeling_volume_kms(obj, unk)

labeling_volume_kms(obj, unk) := kms(
	"SM-16", obj, unk, "LabelingJobAlgorithmsConfig.LabelingJobResourceConfig.VolumeKmsKeyId",
	"the storage volume of the automated labeling instances",
) if {
	lib.set_or_unknown(obj, unk, "LabelingJobAlgorithmsConfig")
} else := set()

# Standalone monitoring job definitions: <X>JobOutputConfig.KmsKeyId and JobResources.
monitoring_definition_kms(obj, unk, output_field) := kms(
	"SM-16", obj, unk, concat(".", [output_field, "KmsKeyId"]),
	"the monitoring output in S3",
) | volume_kms(
	"SM-16", obj, unk, "JobResources.ClusterConfig.VolumeKmsKeyId",
	"the storage volume of the monitoring instances", ["JobResources.ClusterConfig.InstanceType"],
)

# Inline definition of a monitoring schedule: MonitoringOutputConfig and MonitoringResources.
inline_monitoring_kms(obj, unk) := kms("SM-16", obj, unk, "MonitoringOutputConfig.KmsKeyId", "the monitoring output in S3") | volume_kms(
	"SM-16", obj, unk, "MonitoringResources.ClusterConfig.VolumeKmsKeyId",
	"the storage volume of the monitoring instances", ["MonitoringResources.ClusterConfig.InstanceType"],
)

schedule_kms(props, unk) := union({lib.nest(inline_monitoring_kms(d.obj, d.unk), d.path, d.label) |
	some d in sm.inline_monitoring(props, unk)
})

feature_group_kms(obj, unk) := feature_offline_kms(obj, unk) | feature_online_kms(obj, unk)

feature_offline_kms(obj, unk) := kms(
	"SM-16", obj, unk, "OfflineStoreConfig.S3StorageConfig.KmsKeyId",
	"the offline store in S3",
) if {
	lib.set_or_unknown(obj, unk, "OfflineStoreConfig")
} else := set()

# The online store is enabled only when OnlineStoreConfig.EnableOnlineStore is true (default false).
feature_online_kms(obj, unk) := set() if {
	not lib.set_or_unknown(obj, unk, "OnlineStoreConfig")
} else := customer_managed(
	"SM-16", "OnlineStoreConfig.SecurityConfig.KmsKeyId", "the online store",
	lib.get(obj, "OnlineStoreConfig.SecurityConfig.KmsKeyId"),
) if {
	lib.set_or_unknown(obj, unk, "OnlineStoreConfig.SecurityConfig.KmsKeyId")
} else := {lib.unknown_violation(
	"SM-16",
	"OnlineStoreConfig.SecurityConfig.KmsKeyId is missing and OnlineStoreConfig.EnableOnlineStore is not knowable now; the key is required when the online store is enabled.",
	"OnlineStoreConfig.SecurityConfig.KmsKeyId",
)} if {
	lib.unknown_at(obj, unk, "OnlineStoreConfig.EnableOnlineStore")
} else := {lib.violation(
	"SM-16",
	"OnlineStoreConfig.SecurityConfig.KmsKeyId is missing while the online store is enabled: the online store is encrypted only with an AWS managed key (the AWS default).",
	"OnlineStoreConfig.SecurityConfig.KmsKeyId",
)} if {
	lib.is_true(lib.get(obj, "OnlineStoreConfig.EnableOnlineStore"))
} else := set()
