"""The CloudFormation property that names each in-scope resource type (its literal name, when set)."""

from __future__ import annotations

CFN_NAME_PROPERTIES: dict[str, str] = {
    "AWS::SageMaker::Model": "ModelName",
    "AWS::SageMaker::EndpointConfig": "EndpointConfigName",
    "AWS::SageMaker::Endpoint": "EndpointName",
    "AWS::SageMaker::NotebookInstance": "NotebookInstanceName",
    "AWS::SageMaker::Domain": "DomainName",
    "AWS::SageMaker::Pipeline": "PipelineName",
    "AWS::SageMaker::FeatureGroup": "FeatureGroupName",
    "AWS::SageMaker::MonitoringSchedule": "MonitoringScheduleName",
    "AWS::SageMaker::DataQualityJobDefinition": "JobDefinitionName",
    "AWS::SageMaker::ModelQualityJobDefinition": "JobDefinitionName",
    "AWS::SageMaker::ModelBiasJobDefinition": "JobDefinitionName",
    "AWS::SageMaker::ModelExplainabilityJobDefinition": "JobDefinitionName",
    "AWS::SageMaker::ProcessingJob": "ProcessingJobName",
    "AWS::SageMaker::Cluster": "ClusterName",
    "AWS::S3::Bucket": "BucketName",
}


def name_property(resource_type: str) -> str | None:
    return CFN_NAME_PROPERTIES.get(resource_type)
