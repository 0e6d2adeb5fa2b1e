"""Build the Lambda deployment zip (`guardrails package`): guardrails.packaging.lambda_zip builds it,
guardrails.packaging.targets names the supported Python versions and architectures."""
