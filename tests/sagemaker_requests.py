"""SageMaker requests as boto3 sends them (no tests here): notebook instances (the admission tests and
bench/hook_bench.py), and jobs (defaults and secured variants) for the kinds CloudFormation lacks (the source
parity tests and the runtime Stop*Job tests)."""

KMS = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = "arn:aws:iam::111122223333:role/sm-exec"
VPC = {"Subnets": ["subnet-0a"], "SecurityGroupIds": ["sg-0a"]}
IMAGE = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1"
TRAINING_DEF = {
    "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
    "RoleArn": ROLE,
    "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    "StaticHyperParameters": {"eta": "0.1"},
}
SECURE_TRAINING_DEF = TRAINING_DEF | {
    "VpcConfig": VPC,
    "OutputDataConfig": {"S3OutputPath": "s3://b/out", "KmsKeyId": KMS},
    "ResourceConfig": {
        "InstanceType": "ml.m5.xlarge",
        "InstanceCount": 1,
        "VolumeSizeInGB": 30,
        "VolumeKmsKeyId": KMS,
    },
    "EnableNetworkIsolation": True,
    "EnableInterContainerTrafficEncryption": True,
}
TRAINING = {
    "TrainingJobName": "train",
    "Environment": {"MODE": "x"},
    **{k: v for k, v in TRAINING_DEF.items() if k != "StaticHyperParameters"},
}
TRANSFORM = {
    "TransformJobName": "batch",
    "ModelName": "m",
    "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}}},
    "TransformOutput": {"S3OutputPath": "s3://b/out"},
    "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
}
HPO_CONFIG = {
    "Strategy": "Bayesian",
    "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1},
}
AUTOML_V1 = {
    "AutoMLJobName": "auto",
    "InputDataConfig": [
        {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}},
            "TargetAttributeName": "y",
        }
    ],
    "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
    "RoleArn": ROLE,
}
AUTOML_V2 = {
    "AutoMLJobName": "auto2",
    "AutoMLJobInputDataConfig": [
        {
            "ChannelType": "training",
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}},
        }
    ],
    "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
    "AutoMLProblemTypeConfig": {
        "TabularJobConfig": {"TargetAttributeName": "y", "ProblemType": "BinaryClassification"}
    },
    "RoleArn": ROLE,
}
COMPILATION = {
    "CompilationJobName": "neo",
    "RoleArn": ROLE,
    "InputConfig": {"S3Uri": "s3://b/model.tar.gz", "Framework": "XGBOOST"},
    "OutputConfig": {"S3OutputLocation": "s3://b/compiled", "TargetDevice": "ml_c5"},
    "StoppingCondition": {"MaxRuntimeInSeconds": 900},
}
# Notebook instance properties (a CreateNotebookInstance request less its name, or the CloudFormation
# resource's properties): one that passes every control, one with only the required properties.
COMPLIANT_NOTEBOOK = {
    "InstanceType": "ml.t3.medium",
    "RoleArn": ROLE,
    "SubnetId": "subnet-0abc",
    "SecurityGroupIds": ["sg-0abc"],
    "KmsKeyId": KMS,
    "DirectInternetAccess": "Disabled",
    "RootAccess": "Disabled",
    "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
}
OPEN_NOTEBOOK = {"InstanceType": "ml.t3.medium", "RoleArn": ROLE}
LABELING = {
    "LabelingJobName": "label",
    "LabelAttributeName": "label",
    "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://b/manifest"}}},
    "OutputConfig": {"S3OutputPath": "s3://b/labels"},
    "RoleArn": ROLE,
    "HumanTaskConfig": {
        "WorkteamArn": "arn:aws:sagemaker:eu-west-1:111122223333:workteam/private-crowd/t",
        "UiConfig": {"UiTemplateS3Uri": "s3://b/t.html"},
        "TaskTitle": "t",
        "TaskDescription": "d",
        "NumberOfHumanWorkersPerDataObject": 1,
        "TaskTimeLimitInSeconds": 60,
        "PreHumanTaskLambdaArn": "arn:aws:lambda:eu-west-1:111122223333:function:pre",
        "AnnotationConsolidationConfig": {
            "AnnotationConsolidationLambdaArn": "arn:aws:lambda:eu-west-1:111122223333:function:post"
        },
    },
    "LabelingJobAlgorithmsConfig": {
        "LabelingJobAlgorithmSpecificationArn": "arn:aws:sagemaker:eu-west-1:027400017018:labeling-job-algorithm-specification/image-classification",
        "LabelingJobResourceConfig": {},
    },
}
# A HyperPod cluster instance group (CreateCluster).
CLUSTER_GROUP = {
    "InstanceGroupName": "workers",
    "InstanceType": "ml.p5.48xlarge",
    "InstanceCount": 2,
    "ExecutionRole": ROLE,
    "LifeCycleConfig": {"SourceS3Uri": "s3://b/lifecycle/", "OnCreate": "on_create.sh"},
}
