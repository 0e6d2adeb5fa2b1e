package guardrails.tests.sagemaker_composition_test

import data.guardrails.tests.fixtures_test as f
import rego.v1

deny(d) := vs if {
	vs := data.guardrails.rules.sagemaker_composition.deny with input as d
}

vpc := {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}

# ---------------------------------------------------------------------------
# SM-17 Endpoints serve only compliant configs and models
# ---------------------------------------------------------------------------

model_ok := f.related_doc("AWS::SageMaker::Model", "churn-model", {"VpcConfig": vpc}, [])

model_bad := f.related_doc("AWS::SageMaker::Model", "churn-model", {"PrimaryContainer": {"Image": "img"}}, [])

config(props, models) := object.union(
	f.related_doc("AWS::SageMaker::EndpointConfig", "churn-ec", props, []),
	{"related": models},
)

variants := [{"VariantName": "a", "ModelName": "churn-model", "InstanceType": "ml.m5.large", "InitialInstanceCount": 2}]

endpoint(cfg) := f.doc_related(
	"AWS::SageMaker::Endpoint",
	{"EndpointName": "churn", "EndpointConfigName": "churn-ec"},
	{"AWS::SageMaker::EndpointConfig/churn-ec": cfg},
)

test_endpoint_with_compliant_config_and_model_passes_sm17 if {
	cfg := config({"KmsKeyId": "k", "ProductionVariants": variants}, {"AWS::SageMaker::Model/churn-model": model_ok})
	count(deny(endpoint(cfg))) == 0
}

test_endpoint_with_config_failing_sm13_fails_sm17 if {
	cfg := config({"ProductionVariants": variants}, {"AWS::SageMaker::Model/churn-model": model_ok})
	vs := deny(endpoint(cfg))
	f.fails(vs, "SM-17", "EndpointConfigName")
	f.says(vs, "SM-17", "EndpointConfig churn-ec fails SM-13: KmsKeyId is missing")
	count(vs) == 1
}

test_endpoint_with_model_failing_sm03_fails_sm17 if {
	cfg := config({"KmsKeyId": "k", "ProductionVariants": variants}, {"AWS::SageMaker::Model/churn-model": model_bad})
	vs := deny(endpoint(cfg))
	f.fails(vs, "SM-17", "EndpointConfigName")
	f.says(vs, "SM-17", "Model churn-model (via EndpointConfig churn-ec) fails SM-03: VpcConfig.Subnets")
	f.says(vs, "SM-17", "fails SM-03: VpcConfig.SecurityGroupIds")
}

test_endpoint_checks_shadow_variant_models_sm17 if {
	cfg := config(
		{"KmsKeyId": "k", "ProductionVariants": variants, "ShadowProductionVariants": [{"VariantName": "s", "ModelName": "shadow-model"}]},
		{
			"AWS::SageMaker::Model/churn-model": model_ok,
			"AWS::SageMaker::Model/shadow-model": f.related_doc("AWS::SageMaker::Model", "shadow-model", {}, []),
		},
	)
	f.says(deny(endpoint(cfg)), "SM-17", "Model shadow-model (via EndpointConfig churn-ec) fails SM-03")
}

test_endpoint_uses_the_unknowns_of_the_related_config_sm17 if {
	cfg := object.union(
		config({"KmsKeyId": "<unknown: Ref Key>", "ProductionVariants": variants}, {"AWS::SageMaker::Model/churn-model": model_ok}),
		{"context": {"unknown": ["KmsKeyId"]}},
	)
	count(deny(endpoint(cfg))) == 0
}

test_endpoint_model_found_among_the_endpoint_related_documents_sm17 if {
	cfg := config({"KmsKeyId": "k", "ProductionVariants": variants}, {})
	d := f.doc_related(
		"AWS::SageMaker::Endpoint",
		{"EndpointConfigName": "churn-ec"},
		{"AWS::SageMaker::EndpointConfig/churn-ec": cfg, "AWS::SageMaker::Model/churn-model": model_bad},
	)
	f.says(deny(d), "SM-17", "Model churn-model (via EndpointConfig churn-ec) fails SM-03")
}

test_endpoint_with_unresolved_config_is_unknown_sm17 if {
	vs := deny(f.doc("AWS::SageMaker::Endpoint", {"EndpointConfigName": "churn-ec"}))
	f.unknown(vs, "SM-17", "EndpointConfigName")
	f.says(vs, "SM-17", "cannot resolve EndpointConfig churn-ec")
	not f.fails(vs, "SM-17", "EndpointConfigName")
}

test_endpoint_with_unresolved_model_is_unknown_sm17 if {
	cfg := config({"KmsKeyId": "k", "ProductionVariants": variants}, {})
	vs := deny(endpoint(cfg))
	f.unknown(vs, "SM-17", "EndpointConfigName")
	f.says(vs, "SM-17", "cannot resolve Model churn-model")
}

test_endpoint_config_with_unknown_variants_is_unknown_sm17 if {
	cfg := object.union(
		config({"KmsKeyId": "k", "ProductionVariants": "<unknown: Fn::If>"}, {}),
		{"context": {"unknown": ["ProductionVariants"]}},
	)
	f.unknown(deny(endpoint(cfg)), "SM-17", "EndpointConfigName")
}

test_endpoint_without_config_name_is_unknown_sm17 if {
	f.unknown(deny(f.doc("AWS::SageMaker::Endpoint", {"EndpointName": "e"})), "SM-17", "EndpointConfigName")
}

test_endpoint_with_unresolved_reference_value_is_unknown_sm17 if {
	d := f.doc_unknown("AWS::SageMaker::Endpoint", {"EndpointConfigName": "<unknown: GetAtt Ec.EndpointConfigName>"}, ["EndpointConfigName"])
	f.unknown(deny(d), "SM-17", "EndpointConfigName")
}

test_endpoint_resolved_through_an_unknown_reference_value_sm17 if {
	ref := "<unknown: GetAtt Ec.EndpointConfigName>"
	cfg := config({"ProductionVariants": variants}, {"AWS::SageMaker::Model/churn-model": model_ok})
	d := {
		"resource": {"type": "AWS::SageMaker::Endpoint", "name": "e", "properties": {"EndpointConfigName": ref}},
		"related": {concat("/", ["AWS::SageMaker::EndpointConfig", ref]): cfg},
		"context": {"point": "pre-deploy", "unknown": ["EndpointConfigName"]},
	}
	f.fails(deny(d), "SM-17", "EndpointConfigName")
}

# ---------------------------------------------------------------------------
# SM-19 Pipelines launch only compliant jobs
# ---------------------------------------------------------------------------

pipeline(steps) := {"PipelineName": "p", "PipelineDefinition": json.marshal({"Version": "2020-12-01", "Steps": steps})}

training_ok := {
	"VpcConfig": vpc,
	"OutputDataConfig": {"S3OutputPath": "s3://b/o", "KmsKeyId": "k"},
	"ResourceConfig": {"InstanceCount": 1, "VolumeKmsKeyId": "k"},
	"EnableNetworkIsolation": true,
	"EnableInterContainerTrafficEncryption": true,
}

test_pipeline_with_compliant_steps_passes_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([
		{"Name": "train", "Type": "Training", "Arguments": training_ok},
		{"Name": "notify", "Type": "Lambda", "Arguments": {"x": 1}},
	]))
	count(deny(d)) == 0
}

test_pipeline_training_step_without_vpc_fails_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([
		{"Name": "prep", "Type": "Lambda", "Arguments": {}},
		{"Name": "train", "Type": "Training", "Arguments": object.remove(training_ok, ["VpcConfig"])},
	]))
	vs := deny(d)
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.1.Arguments.VpcConfig.Subnets")
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.1.Arguments.VpcConfig.SecurityGroupIds")
	f.says(vs, "SM-19", "Pipeline step 'train' (Training) fails SM-01")
	count(vs) == 2
}

test_pipeline_training_step_without_keys_fails_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([{"Name": "train", "Type": "Training", "Arguments": object.remove(training_ok, ["OutputDataConfig"])}]))
	f.fails(deny(d), "SM-19", "PipelineDefinition.Steps.0.Arguments.OutputDataConfig.KmsKeyId")
	f.says(deny(d), "SM-19", "fails SM-10")
}

test_pipeline_processing_step_fails_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([{"Name": "prep", "Type": "Processing", "Arguments": {"ProcessingResources": {"ClusterConfig": {}}}}]))
	vs := deny(d)
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.NetworkConfig.VpcConfig.Subnets")
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId")
	f.says(vs, "SM-19", "Pipeline step 'prep' (Processing) fails SM-02")
	f.says(vs, "SM-19", "fails SM-11")
}

test_pipeline_transform_step_fails_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([{"Name": "score", "Type": "Transform", "Arguments": {"TransformOutput": {"KmsKeyId": "k"}}}]))
	f.fails(deny(d), "SM-19", "PipelineDefinition.Steps.0.Arguments.TransformResources.VolumeKmsKeyId")
}

test_pipeline_model_step_fails_sm03_as_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([{"Name": "register", "Type": "Model", "Arguments": {"PrimaryContainer": {"Image": "img"}}}]))
	vs := deny(d)
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.VpcConfig.Subnets")
	f.says(vs, "SM-19", "Pipeline step 'register' (Model) fails SM-03")
}

test_pipeline_tuning_step_checks_every_definition_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([{"Name": "tune", "Type": "Tuning", "Arguments": {"TrainingJobDefinitions": [
		training_ok,
		object.remove(training_ok, ["VpcConfig"]),
	]}}]))
	vs := deny(d)
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.TrainingJobDefinitions.1.VpcConfig.Subnets")
	not f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.TrainingJobDefinitions.0.VpcConfig.Subnets")
}

test_pipeline_steps_nested_in_condition_steps_are_checked_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([{"Name": "gate", "Type": "Condition", "Arguments": {
		"Conditions": [],
		"IfSteps": [{"Name": "retrain", "Type": "Training", "Arguments": object.remove(training_ok, ["ResourceConfig"])}],
		"ElseSteps": [],
	}}]))
	vs := deny(d)
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.IfSteps.0.Arguments.ResourceConfig.VolumeKmsKeyId")
	f.says(vs, "SM-19", "Pipeline step 'retrain' (Training)")
}

condition(name, if_steps, else_steps) := {"Name": name, "Type": "Condition", "Arguments": {
	"Conditions": [{"Type": "GreaterThanOrEqualTo", "LeftValue": {"Get": "Steps.eval.Accuracy"}, "RightValue": 0.8}],
	"IfSteps": if_steps,
	"ElseSteps": else_steps,
}}

test_pipeline_steps_nested_at_any_depth_are_checked_sm19 if {
	bad := {"Name": "deep", "Type": "Training", "Arguments": object.remove(training_ok, ["VpcConfig"])}
	inner := condition("c3", [], [bad])
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([condition("c1", [condition("c2", [inner], [])], [])]))
	vs := deny(d)
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.IfSteps.0.Arguments.IfSteps.0.Arguments.ElseSteps.0.Arguments.VpcConfig.Subnets")
	f.says(vs, "SM-19", "Pipeline step 'deep' (Training) fails SM-01")
	count(vs) == 2
}

test_pipeline_if_steps_of_a_non_condition_step_are_not_steps_sm19 if {
	odd := {"Name": "odd", "Type": "Lambda", "Arguments": {"IfSteps": [{"Name": "x", "Type": "Training", "Arguments": {}}]}}
	count(deny(f.doc("AWS::SageMaker::Pipeline", pipeline([odd])))) == 0
}

test_pipeline_step_that_is_not_an_object_is_unknown_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([condition("gate", [{"Get": "Parameters.Step"}], [])]))
	f.unknown(deny(d), "SM-19", "PipelineDefinition.Steps.0.Arguments.IfSteps.0")
}

test_pipeline_compilation_step_is_checked_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([{"Name": "neo", "Type": "Compilation", "Arguments": {"OutputConfig": {"S3OutputLocation": "s3://b/c"}}}]))
	vs := deny(d)
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.VpcConfig.Subnets")
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.OutputConfig.KmsKeyId")
	f.says(vs, "SM-19", "Pipeline step 'neo' (Compilation) fails SM-16")
}

test_pipeline_quality_and_clarify_check_steps_are_processing_jobs_sm19 if {
	args := {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}}}
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([
		{"Name": "quality", "Type": "QualityCheck", "Arguments": args},
		{"Name": "bias", "Type": "ClarifyCheck", "Arguments": args},
	]))
	vs := deny(d)
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.NetworkConfig.VpcConfig.Subnets")
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.1.Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId")
	f.says(vs, "SM-19", "Pipeline step 'quality' (QualityCheck) fails SM-02")
	f.says(vs, "SM-19", "Pipeline step 'bias' (ClarifyCheck) fails SM-11")
}

test_pipeline_automl_steps_v1_and_v2_are_checked_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([
		{"Name": "v1", "Type": "AutoML", "Arguments": {"AutoMLJobConfig": {}, "OutputDataConfig": {"S3OutputPath": "s3://b/a"}}},
		{"Name": "v2", "Type": "AutoML", "Arguments": {"AutoMLProblemTypeConfig": {}, "OutputDataConfig": {"S3OutputPath": "s3://b/a"}}},
	]))
	vs := deny(d)
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.AutoMLJobConfig.SecurityConfig.VpcConfig.Subnets")
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.1.Arguments.SecurityConfig.VpcConfig.Subnets")
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.1.Arguments.OutputDataConfig.KmsKeyId")
}

test_pipeline_register_model_validation_transform_is_checked_sm19 if {
	profile := {"ProfileName": "p", "TransformJobDefinition": {
		"TransformOutput": {"S3OutputPath": "s3://b/v"},
		"TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
	}}
	register := {"Name": "register", "Type": "RegisterModel", "Arguments": {
		"ModelPackageGroupName": "g",
		"InferenceSpecification": {"Containers": [{"Image": "img"}]},
		"ValidationSpecification": {"ValidationRole": "r", "ValidationProfiles": [profile]},
	}}
	vs := deny(f.doc("AWS::SageMaker::Pipeline", pipeline([register])))
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.ValidationSpecification.ValidationProfiles.0.TransformJobDefinition.TransformOutput.KmsKeyId")
	f.fails(vs, "SM-19", "PipelineDefinition.Steps.0.Arguments.ValidationSpecification.ValidationProfiles.0.TransformJobDefinition.TransformResources.VolumeKmsKeyId")
	f.says(vs, "SM-19", "Pipeline step 'register' (RegisterModel) fails SM-12")
}

test_pipeline_register_model_without_validation_has_nothing_to_check_sm19 if {
	register := {"Name": "register", "Type": "RegisterModel", "Arguments": {"ModelPackageGroupName": "g", "InferenceSpecification": {"Containers": [{"Image": "img"}]}}}
	count(deny(f.doc("AWS::SageMaker::Pipeline", pipeline([register])))) == 0
}

test_pipeline_steps_that_launch_no_sagemaker_job_have_nothing_to_check_sm19 if {
	steps := [
		{"Name": "emr", "Type": "EMR", "Arguments": {"ClusterId": "j-1", "StepConfig": {"HadoopJarStep": {"Jar": "s3://b/j.jar"}}}},
		{"Name": "cb", "Type": "Callback", "Arguments": {"x": 1}},
		{"Name": "stop", "Type": "Fail", "Arguments": {"ErrorMessage": "no"}},
	]
	count(deny(f.doc("AWS::SageMaker::Pipeline", pipeline(steps)))) == 0
}

test_pipeline_training_step_on_local_nvme_instances_needs_no_volume_key_sm19 if {
	args := object.union(object.remove(training_ok, ["ResourceConfig"]), {"ResourceConfig": {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 2}})
	count(deny(f.doc("AWS::SageMaker::Pipeline", pipeline([{"Name": "train", "Type": "Training", "Arguments": args}])))) == 0
}

test_pipeline_expressions_count_as_set_sm19 if {
	args := object.union(training_ok, {
		"VpcConfig": {"Subnets": [{"Get": "Parameters.Subnet"}], "SecurityGroupIds": {"Get": "Parameters.Sgs"}},
		"OutputDataConfig": {"KmsKeyId": {"Std:Join": {"On": "", "Values": ["arn:", {"Get": "Parameters.Key"}]}}},
	})
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([{"Name": "train", "Type": "Training", "Arguments": args}]))
	count(deny(d)) == 0
}

test_pipeline_expression_for_a_value_check_is_unknown_sm19 if {
	args := object.union(training_ok, {"EnableNetworkIsolation": {"Get": "Parameters.Isolate"}})
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([{"Name": "train", "Type": "Training", "Arguments": args}]))
	f.unknown(deny(d), "SM-19", "PipelineDefinition.Steps.0.Arguments.EnableNetworkIsolation")
}

test_pipeline_step_failing_traffic_encryption_fails_sm19 if {
	args := object.remove(training_ok, ["EnableInterContainerTrafficEncryption"])
	d := f.doc("AWS::SageMaker::Pipeline", pipeline([{"Name": "train", "Type": "Training", "Arguments": args}]))
	f.fails(deny(d), "SM-19", "PipelineDefinition.Steps.0.Arguments.EnableInterContainerTrafficEncryption")
	f.says(deny(d), "SM-19", "fails SM-09")
}

test_pipeline_definition_not_json_is_unknown_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", {"PipelineDefinition": "{not json"})
	f.unknown(deny(d), "SM-19", "PipelineDefinition")
}

test_pipeline_definition_unknown_is_unknown_sm19 if {
	d := f.doc_unknown("AWS::SageMaker::Pipeline", {"PipelineDefinition": "<unknown: Fn::Sub>"}, ["PipelineDefinition"])
	f.unknown(deny(d), "SM-19", "PipelineDefinition")
}

test_pipeline_definition_in_s3_is_unknown_sm19 if {
	d := f.doc("AWS::SageMaker::Pipeline", {"PipelineDefinitionS3Location": {"Bucket": "b", "ObjectKey": "k"}})
	f.unknown(deny(d), "SM-19", "PipelineDefinitionS3Location")
}

test_pipeline_cloudformation_definition_body_is_read_sm19 if {
	body := json.marshal({"Steps": [{"Name": "train", "Type": "Training", "Arguments": {}}]})
	d := f.doc("AWS::SageMaker::Pipeline", {"PipelineDefinition": {"PipelineDefinitionBody": body}})
	f.fails(deny(d), "SM-19", "PipelineDefinition.PipelineDefinitionBody.Steps.0.Arguments.VpcConfig.Subnets")
}

test_composition_controls_apply_only_to_endpoints_and_pipelines if {
	count(deny(f.doc("AWS::SageMaker::EndpointConfig", {}))) == 0
	count(deny(f.doc("AWS::SageMaker::TrainingJob", {}))) == 0
}

test_composition_family_has_no_warn_set if {
	not data.guardrails.rules.sagemaker_composition.warn
}
