"""Reading the deploy/ templates: YAML with short-form intrinsics, the SAM transform run offline, and a
small resolver of intrinsics (Ref, Fn::Sub, Fn::GetAtt, Fn::If...) so policies can be checked as AWS
would see them after deployment."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
TEMPLATES = sorted(DEPLOY.glob("*.yaml"))
ACCOUNT, REGION, PARTITION = "123456789012", "us-east-1", "aws"


def load(path: Path) -> dict[str, Any]:
    """The template as CloudFormation reads it (short-form tags become Fn:: mappings)."""
    from cfnlint.decode import decode

    template, matches = decode(str(path))
    assert not matches and template is not None, f"{path}: {matches}"
    return _plain(template)


def _plain(value: Any) -> Any:
    """cfn-lint's node types -> plain dict/list/str (samtranslator and json need plain data)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


class _NoManagedPolicies:
    """samtranslator's managed-policy loader, offline: the templates name no AWS managed policy by name."""

    def load(self) -> dict[str, str]:
        return {}


def sam_translate(template: dict[str, Any], parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """Apply the AWS::Serverless transform offline (plain CloudFormation comes back unchanged)."""
    if template.get("Transform") != "AWS::Serverless-2016-10-31":
        return copy.deepcopy(template)
    import os

    from samtranslator.translator.transform import transform

    saved = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = REGION  # the transform needs a region for its ARNs
    try:
        return transform(copy.deepcopy(template), dict(parameters or {}), _NoManagedPolicies())
    finally:
        if saved is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = saved


def parameter_values(template: dict[str, Any], overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    values = {name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()}
    values.update(overrides or {})
    missing = sorted(k for k, v in values.items() if v is None)
    assert not missing, f"parameters without a value: {missing}"
    return values


class Resolver:
    """Resolve intrinsics against parameter values, pseudo parameters and fake physical ids."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, Any] | None = None):
        self.template = template
        self.parameters = parameter_values(template, parameters)
        self.pseudo = {
            "AWS::AccountId": ACCOUNT,
            "AWS::Region": REGION,
            "AWS::Partition": PARTITION,
            "AWS::StackName": "guardrails-test",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": _NO_VALUE,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/guardrails-test/1",
        }
        self.conditions = {
            name: self.condition(body) for name, body in template.get("Conditions", {}).items()
        }

    def condition(self, body: Any) -> bool:
        if isinstance(body, dict) and len(body) == 1:
            ((key, args),) = body.items()
            if key == "Fn::Equals":
                return self.resolve(args[0]) == self.resolve(args[1])
            if key == "Fn::Not":
                return not self.condition(args[0])
            if key == "Fn::And":
                return all(self.condition(a) for a in args)
            if key == "Fn::Or":
                return any(self.condition(a) for a in args)
            if key == "Condition":
                return self.conditions[args]
        raise AssertionError(f"cannot evaluate condition {body!r}")

    def physical(self, logical: str) -> str:
        kind = self.template["Resources"][logical]["Type"]
        return {
            "AWS::IAM::ManagedPolicy": f"arn:aws:iam::{ACCOUNT}:policy/{logical}",
            "AWS::SNS::Topic": f"arn:aws:sns:{REGION}:{ACCOUNT}:{logical}",
            "AWS::SQS::Queue": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{logical}",
            "AWS::KMS::Alias": f"alias/{logical}",
        }.get(kind, logical.lower())

    def get_att(self, logical: str, attribute: str) -> str:
        kind = self.template["Resources"][logical]["Type"]
        name = logical.lower()
        arns = {
            "AWS::IAM::Role": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "AWS::KMS::Key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{name}",
            "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}",
            "AWS::S3::Bucket": f"arn:aws:s3:::{name}",
            "AWS::SQS::Queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}",
            "AWS::Lambda::Function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
            "AWS::Logs::LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}",
            "AWS::Events::EventBus": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}",
        }
        if attribute == "Arn" and kind in arns:
            return arns[kind]
        if attribute in ("QueueName", "Name"):
            return name
        raise AssertionError(f"no fake value for {logical}.{attribute} ({kind})")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [r for r in (self.resolve(v) for v in value) if r is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, args),) = value.items()
            if key == "Ref":
                if args in self.pseudo:
                    return self.pseudo[args]
                if args in self.parameters:
                    return self.parameters[args]
                return self.physical(args)
            if key == "Fn::GetAtt":
                logical, attribute = args if isinstance(args, list) else args.split(".", 1)
                return self.get_att(logical, attribute)
            if key == "Fn::Sub":
                text, extra = (args, {}) if isinstance(args, str) else (args[0], self.resolve(args[1]))
                return re.sub(r"\$\{([^}!]+)\}", lambda m: str(self._sub_var(m.group(1), extra)), text)
            if key == "Fn::If":
                name, yes, no = args
                return self.resolve(yes if self.conditions[name] else no)
            if key == "Fn::Join":
                return args[0].join(str(v) for v in self.resolve(args[1]))
            if key == "Fn::Select":
                return self.resolve(args[1])[int(self.resolve(args[0]))]
            if key == "Fn::Split":
                return str(self.resolve(args[1])).split(args[0])
        return {k: r for k, r in ((k, self.resolve(v)) for k, v in value.items()) if r is not _NO_VALUE}

    def _sub_var(self, name: str, extra: dict[str, Any]) -> Any:
        if name in extra:
            return extra[name]
        if "." in name:
            logical, attribute = name.split(".", 1)
            return self.get_att(logical, attribute)
        return self.resolve({"Ref": name})

    def active_resources(self) -> dict[str, dict[str, Any]]:
        return {
            name: res
            for name, res in self.template["Resources"].items()
            if "Condition" not in res or self.conditions[res["Condition"]]
        }


_NO_VALUE = object()


def policy_documents(template: dict[str, Any], parameters: dict[str, Any] | None = None) -> dict[str, dict]:
    """Every identity policy of the (translated) template, resolved: '<resource>/<policy name>' -> document."""
    resolver = Resolver(template, parameters)
    found: dict[str, dict] = {}
    for name, resource in resolver.active_resources().items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                found[f"{name}/{policy['PolicyName']}"] = resolver.resolve(policy["PolicyDocument"])
        elif resource["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy", "AWS::IAM::Policy"):
            found[f"{name}/{props.get('PolicyName', name)}"] = resolver.resolve(props["PolicyDocument"])
    return found


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document.get("Statement", [])
    return found if isinstance(found, list) else [found]


def actions(document: dict[str, Any], effect: str = "Allow") -> set[str]:
    out: set[str] = set()
    for statement in statements(document):
        if statement.get("Effect") == effect:
            value = statement.get("Action", [])
            out |= {value} if isinstance(value, str) else set(value)
    return out


def as_json(document: dict[str, Any]) -> str:
    return json.dumps(document)
