"""Deterministic generator of CloudFormation templates for the `guardrails check` benchmark.

`generate_template(n, seed)` builds one YAML template with exactly `n` SageMaker and S3 resources in a
realistic mix (notebook instances; serving stacks of models, an endpoint configuration and an endpoint
wired with `!GetAtt`; Studio domains; buckets, each with an `AWS::S3::BucketPolicy` bound by `!Ref`),
plus a manifest of the violations planted in it. Roughly half of the resources are compliant with every
control in shared/CONTROLS.md; each of the others carries one or two *planted* violations drawn from
concepts that both guardrails and checkov could know about (see `CONCEPTS`). Everything about a
noncompliant resource other than its planted violations is compliant, so any other finding of a
mapped concept is a false positive.

The manifest (`bench_<n>.manifest.json`) lists:

* `planted`: one entry per (logical_id, concept), with the guardrails control it breaks and
  `also_reported_on` — the logical ids where a tool may rightly report it too (a public bucket
  policy is a property of its bucket: guardrails merges `AWS::S3::BucketPolicy` into the bucket);
* `derived`: findings that follow from the planted ones and that only guardrails models (SM-17 on an
  endpoint whose config lacks a KMS key or whose model runs outside a VPC; S3-07, ACLs enabled, on a
  bucket planted with a public canned ACL, which S3 accepts only with `ObjectOwnership: ObjectWriter`);
* `resources`: every logical id with its type and planted concepts.

Usage: python bench/generate_templates.py [--sizes 10 100 1000 5000] [--seed 20240611] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SIZES = (10, 100, 1000, 5000)
DEFAULT_SEED = 20240611
DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "templates"
NONCOMPLIANT_SHARE = 0.42  # chance that a resource gets planted violations; with the endpoints that serve
# a noncompliant config or model (derived SM-17) about half of all resources end up noncompliant

NOTEBOOK = "AWS::SageMaker::NotebookInstance"
MODEL = "AWS::SageMaker::Model"
ENDPOINT_CONFIG = "AWS::SageMaker::EndpointConfig"
ENDPOINT = "AWS::SageMaker::Endpoint"
DOMAIN = "AWS::SageMaker::Domain"
BUCKET = "AWS::S3::Bucket"
BUCKET_POLICY = "AWS::S3::BucketPolicy"

# concept -> (resource type it is planted on, guardrails control, description)
CONCEPTS: dict[str, tuple[str, str, str]] = {
    "notebook_no_kms": (NOTEBOOK, "SM-14", "notebook instance without a KMS key"),
    "notebook_direct_internet": (
        NOTEBOOK,
        "SM-05",
        "notebook with direct internet access (unset or Enabled)",
    ),
    "notebook_no_subnet": (NOTEBOOK, "SM-04", "notebook instance outside a customer VPC (no SubnetId)"),
    "notebook_root_access": (NOTEBOOK, "SM-18", "notebook with root access (unset or Enabled)"),
    "model_no_vpc": (MODEL, "SM-03", "model without VpcConfig"),
    "model_no_network_isolation": (MODEL, "SM-08", "model without EnableNetworkIsolation true"),
    "endpoint_config_no_kms": (ENDPOINT_CONFIG, "SM-13", "endpoint config without a KMS key"),
    "domain_public_internet": (DOMAIN, "SM-06", "Studio domain not VpcOnly (unset or PublicInternetOnly)"),
    "domain_no_kms": (DOMAIN, "SM-15", "Studio domain without a KMS key"),
    "bucket_public_acl": (BUCKET, "S3-02", "bucket with a public canned ACL"),
    "bucket_public_policy": (BUCKET_POLICY, "S3-03", "bucket policy allowing Principal * unconditionally"),
    "bucket_no_kms": (BUCKET, "S3-04", "bucket without aws:kms default encryption (AES256 or none)"),
    "bucket_bpa_off": (BUCKET, "S3-01", "bucket with Block Public Access flag(s) false"),
}

ACCOUNT = "111122223333"
REGION = "eu-west-1"
IMAGES = (
    f"685385470294.dkr.ecr.{REGION}.amazonaws.com/xgboost:1",
    f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch-inference:2.1.0-cpu-py310",
    f"763104351884.dkr.ecr.{REGION}.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310",
    f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
)
NOTEBOOK_TYPES = ("ml.t3.medium", "ml.t3.large", "ml.m5.xlarge", "ml.g4dn.xlarge")
ENDPOINT_TYPES = ("ml.m5.large", "ml.c5.xlarge", "ml.g5.xlarge", "ml.m5.2xlarge")
LOCAL_NVME_ENDPOINT_TYPES = frozenset({"ml.g5.xlarge"})
"""Local NVMe instance storage: SageMaker refuses an endpoint-config KmsKeyId when a variant uses one."""
TEAMS = ("risk", "fraud", "churn", "pricing", "search", "forecast", "vision", "nlp")


# --- YAML short-form intrinsics ---------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class GetAtt:
    logical_id: str
    attribute: str


@dataclass(frozen=True)
class Sub:
    text: str


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


_Dumper.add_representer(Ref, lambda d, v: d.represent_scalar("!Ref", v.name))
_Dumper.add_representer(GetAtt, lambda d, v: d.represent_scalar("!GetAtt", f"{v.logical_id}.{v.attribute}"))
_Dumper.add_representer(Sub, lambda d, v: d.represent_scalar("!Sub", v.text, style='"'))


# --- template building ------------------------------------------------------------------------

PARAMETERS: dict[str, dict[str, Any]] = {
    "ExecutionRoleArn": {
        "Type": "String",
        "Default": f"arn:aws:iam::{ACCOUNT}:role/sagemaker-execution",
        "Description": "SageMaker execution role",
    },
    "KmsKeyArn": {
        "Type": "String",
        "Default": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0c8e7a51-3f2b-4d8e-9a61-5b7e2f4c9d10",
        "Description": "Customer-managed KMS key for SageMaker volumes and S3",
    },
    "VpcId": {"Type": "AWS::EC2::VPC::Id", "Default": "vpc-0a1b2c3d4e5f60718"},
    "PrivateSubnetA": {"Type": "AWS::EC2::Subnet::Id", "Default": "subnet-0a1b2c3d4e5f60718"},
    "PrivateSubnetB": {"Type": "AWS::EC2::Subnet::Id", "Default": "subnet-0f9e8d7c6b5a40312"},
    "MlSecurityGroup": {"Type": "AWS::EC2::SecurityGroup::Id", "Default": "sg-0a1b2c3d4e5f60718"},
    "AccessLogBucket": {"Type": "String", "Default": "acme-s3-access-logs"},
}

LITERAL_KMS = (
    f"arn:aws:kms:{REGION}:{ACCOUNT}:key/5d1c2a8e-7b34-4f0e-8c2d-1e9a6b3f7c42",
    f"arn:aws:kms:{REGION}:{ACCOUNT}:key/a3f9e0b7-2c61-4d58-b1e4-93c7d2a5f816",
)
LITERAL_SUBNETS = ("subnet-0123456789abcdef0", "subnet-0fedcba9876543210")
LITERAL_SG = "sg-0123456789abcdef0"


@dataclass
class _State:
    rng: random.Random
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    planted: list[dict[str, Any]] = field(default_factory=list)
    derived: list[dict[str, Any]] = field(default_factory=list)
    info: dict[str, dict[str, Any]] = field(default_factory=dict)

    # values that are either a parameter reference or a literal, chosen at random
    def role(self) -> Any:
        return (
            Ref("ExecutionRoleArn") if self.rng.random() < 0.7 else PARAMETERS["ExecutionRoleArn"]["Default"]
        )

    def kms(self) -> Any:
        return Ref("KmsKeyArn") if self.rng.random() < 0.6 else self.rng.choice(LITERAL_KMS)

    def subnet(self) -> Any:
        return (
            Ref(self.rng.choice(("PrivateSubnetA", "PrivateSubnetB")))
            if self.rng.random() < 0.6
            else (self.rng.choice(LITERAL_SUBNETS))
        )

    def subnets(self) -> list[Any]:
        if self.rng.random() < 0.6:
            return [Ref("PrivateSubnetA"), Ref("PrivateSubnetB")]
        return list(LITERAL_SUBNETS)

    def security_groups(self) -> list[Any]:
        return [Ref("MlSecurityGroup")] if self.rng.random() < 0.6 else [LITERAL_SG]

    def tags(self, team: str) -> list[dict[str, str]]:
        return [
            {"Key": "team", "Value": team},
            {"Key": "cost-center", "Value": f"cc-{self.rng.randint(100, 999)}"},
        ]

    def add(self, logical_id: str, rtype: str, props: dict[str, Any], concepts: list[str]) -> None:
        self.resources[logical_id] = {"Type": rtype, "Properties": props}
        self.info[logical_id] = {"type": rtype, "planted": sorted(concepts)}

    def plant(self, logical_id: str, concept: str, also: tuple[str, ...] = ()) -> None:
        rtype, control, _ = CONCEPTS[concept]
        self.planted.append(
            {"logical_id": logical_id, "concept": concept, "control": control, "also_reported_on": list(also)}
        )

    def noncompliant(self) -> bool:
        return self.rng.random() < NONCOMPLIANT_SHARE


def _pick_concepts(state: _State, options: list[str]) -> list[str]:
    """One planted concept, sometimes two."""
    picked = [state.rng.choice(options)]
    if state.rng.random() < 0.25:
        other = state.rng.choice(options)
        if other not in picked:
            picked.append(other)
    return picked


def _notebook(state: _State, idx: int) -> None:
    rng = state.rng
    team = rng.choice(TEAMS)
    lid = f"{team.capitalize()}Notebook{idx:05d}"
    concepts = (
        _pick_concepts(state, [c for c, v in CONCEPTS.items() if v[0] == NOTEBOOK])
        if (state.noncompliant())
        else []
    )
    if "notebook_no_subnet" in concepts and "notebook_direct_internet" not in concepts:
        # AWS only accepts DirectInternetAccess Disabled with a SubnetId: no subnet means internet access.
        concepts.append("notebook_direct_internet")
    props: dict[str, Any] = {}
    if rng.random() < 0.7:
        props["NotebookInstanceName"] = f"{team}-nb-{idx:05d}"
    props["InstanceType"] = rng.choice(NOTEBOOK_TYPES)
    props["RoleArn"] = state.role()
    props["PlatformIdentifier"] = "notebook-al2-v2"
    props["VolumeSizeInGB"] = rng.choice((5, 20, 50))
    if "notebook_no_subnet" not in concepts:
        props["SubnetId"] = state.subnet()
        props["SecurityGroupIds"] = state.security_groups()
    if "notebook_direct_internet" in concepts:
        if rng.random() < 0.5:
            props["DirectInternetAccess"] = "Enabled"
    else:
        props["DirectInternetAccess"] = "Disabled"
    if "notebook_root_access" in concepts:
        if rng.random() < 0.5:
            props["RootAccess"] = "Enabled"
    else:
        props["RootAccess"] = "Disabled"
    if "notebook_no_kms" not in concepts:
        props["KmsKeyId"] = state.kms()
    props["InstanceMetadataServiceConfiguration"] = {"MinimumInstanceMetadataServiceVersion": "2"}
    props["Tags"] = state.tags(team)
    state.add(lid, NOTEBOOK, props, concepts)
    for c in concepts:
        state.plant(lid, c)


def _model(state: _State, lid: str, team: str, name: str) -> list[str]:
    rng = state.rng
    concepts = (
        _pick_concepts(state, ["model_no_vpc", "model_no_network_isolation"])
        if (state.noncompliant())
        else []
    )
    props: dict[str, Any] = {}
    if rng.random() < 0.6:
        props["ModelName"] = name
    props["ExecutionRoleArn"] = state.role()
    props["PrimaryContainer"] = {
        "Image": rng.choice(IMAGES),
        "ModelDataUrl": Sub(f"s3://acme-ml-artifacts-${{AWS::AccountId}}/{team}/{name}/model.tar.gz"),
        "Environment": {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_REGION": Ref("AWS::Region")},
    }
    if "model_no_vpc" not in concepts:
        props["VpcConfig"] = {"Subnets": state.subnets(), "SecurityGroupIds": state.security_groups()}
    if "model_no_network_isolation" in concepts:
        if rng.random() < 0.5:
            props["EnableNetworkIsolation"] = False
    else:
        props["EnableNetworkIsolation"] = True
    props["Tags"] = state.tags(team)
    state.add(lid, MODEL, props, concepts)
    for c in concepts:
        state.plant(lid, c)
    return concepts


def _serving_stack(state: _State, idx: int, models: int) -> None:
    """`models` models, one endpoint configuration serving them, one endpoint."""
    rng = state.rng
    team = rng.choice(TEAMS)
    stem = f"{team.capitalize()}Serving{idx:05d}"
    model_ids = [f"{stem}Model{'ABCD'[m]}" for m in range(models)]
    bad_models = [
        mid
        for m, mid in enumerate(model_ids)
        if "model_no_vpc" in _model(state, mid, team, f"{team}-model-{idx:05d}-{'abcd'[m]}")
    ]
    cfg_id = f"{stem}Config"
    cfg_concepts = ["endpoint_config_no_kms"] if state.noncompliant() else []
    cfg: dict[str, Any] = {}
    if rng.random() < 0.5:
        cfg["EndpointConfigName"] = f"{team}-config-{idx:05d}"
    weight = round(1.0 / models, 2)
    cfg["ProductionVariants"] = [
        {
            "VariantName": f"Variant{'ABCD'[m]}",
            "ModelName": GetAtt(mid, "ModelName"),
            "InitialInstanceCount": rng.choice((1, 2, 3)),
            "InstanceType": rng.choice(ENDPOINT_TYPES),
            "InitialVariantWeight": weight,
        }
        for m, mid in enumerate(model_ids)
    ]
    if any(v["InstanceType"] in LOCAL_NVME_ENDPOINT_TYPES for v in cfg["ProductionVariants"]):
        cfg_concepts = []  # no KmsKeyId is the only valid configuration, and compliant (SM-13)
    elif not cfg_concepts:
        cfg["KmsKeyId"] = state.kms()
    if rng.random() < 0.3:
        capture: dict[str, Any] = {
            "EnableCapture": True,
            "InitialSamplingPercentage": 20,
            "DestinationS3Uri": Sub(f"s3://acme-ml-capture-${{AWS::AccountId}}/{team}/{idx:05d}"),
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "KmsKeyId": state.kms(),
        }
        cfg["DataCaptureConfig"] = capture
    cfg["Tags"] = state.tags(team)
    state.add(cfg_id, ENDPOINT_CONFIG, cfg, cfg_concepts)
    for c in cfg_concepts:
        state.plant(cfg_id, c)
    ep_id = f"{stem}Endpoint"
    ep: dict[str, Any] = {"EndpointConfigName": GetAtt(cfg_id, "EndpointConfigName")}
    if rng.random() < 0.5:
        ep["EndpointName"] = f"{team}-endpoint-{idx:05d}"
    ep["Tags"] = state.tags(team)
    state.add(ep_id, ENDPOINT, ep, [])
    because = [f"{cfg_id} SM-13" for _ in cfg_concepts] + [f"{m} SM-03" for m in bad_models]
    if because:
        state.derived.append({"logical_id": ep_id, "control": "SM-17", "because": because})


def _domain(state: _State, idx: int) -> None:
    rng = state.rng
    team = rng.choice(TEAMS)
    lid = f"{team.capitalize()}Studio{idx:05d}"
    concepts = (
        _pick_concepts(state, ["domain_public_internet", "domain_no_kms"]) if (state.noncompliant()) else []
    )
    props: dict[str, Any] = {
        "DomainName": f"{team}-studio-{idx:05d}",
        "AuthMode": rng.choice(("IAM", "SSO")),
        "VpcId": Ref("VpcId"),
        "SubnetIds": state.subnets(),
        "DefaultUserSettings": {"ExecutionRole": state.role(), "SecurityGroups": state.security_groups()},
    }
    if "domain_public_internet" in concepts:
        if rng.random() < 0.5:
            props["AppNetworkAccessType"] = "PublicInternetOnly"
    else:
        props["AppNetworkAccessType"] = "VpcOnly"
    if "domain_no_kms" not in concepts:
        props["KmsKeyId"] = state.kms()
    props["Tags"] = state.tags(team)
    state.add(lid, DOMAIN, props, concepts)
    for c in concepts:
        state.plant(lid, c)


def _bucket(state: _State, idx: int) -> None:
    """A bucket and its bucket policy (always with the TLS-only Deny statement, S3-05)."""
    rng = state.rng
    team = rng.choice(TEAMS)
    purpose = rng.choice(("Data", "Features", "Artifacts", "Capture", "Datasets"))
    lid = f"{team.capitalize()}{purpose}Bucket{idx:05d}"
    concepts = (
        _pick_concepts(state, ["bucket_public_acl", "bucket_no_kms", "bucket_bpa_off"])
        if (state.noncompliant())
        else []
    )
    props: dict[str, Any] = {}
    if rng.random() < 0.6:
        props["BucketName"] = Sub(f"acme-{team}-{purpose.lower()}-{idx:05d}-${{AWS::AccountId}}")
    if "bucket_public_acl" in concepts:
        props["AccessControl"] = rng.choice(("PublicRead", "PublicReadWrite", "AuthenticatedRead"))
        props["OwnershipControls"] = {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
        # S3 accepts a canned ACL only with ACLs enabled: S3-07 (a warning) follows from the planted ACL
        state.derived.append({"logical_id": lid, "control": "S3-07", "because": [f"{lid} bucket_public_acl"]})
    else:
        props["OwnershipControls"] = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    flags = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    if "bucket_bpa_off" in concepts:
        for flag in rng.sample(sorted(flags), rng.randint(1, 4)):
            flags[flag] = False
    props["PublicAccessBlockConfiguration"] = flags
    if "bucket_no_kms" in concepts:
        if rng.random() < 0.6:
            props["BucketEncryption"] = {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            }
    else:
        props["BucketEncryption"] = {
            "ServerSideEncryptionConfiguration": [
                {
                    "ServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": state.kms(),
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        }
    props["VersioningConfiguration"] = {"Status": "Enabled"}
    props["LoggingConfiguration"] = {
        "DestinationBucketName": Ref("AccessLogBucket"),
        "LogFilePrefix": f"{team}/{idx:05d}/",
    }
    props["Tags"] = state.tags(team)
    state.add(lid, BUCKET, props, concepts)
    for c in concepts:
        state.plant(lid, c)

    pid = f"{lid}Policy"
    pconcepts = ["bucket_public_policy"] if state.noncompliant() else []
    statements: list[dict[str, Any]] = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [GetAtt(lid, "Arn"), Sub(f"${{{lid}.Arn}}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]
    if rng.random() < 0.5:
        statements.append(
            {
                "Sid": "AllowExecutionRoleRead",
                "Effect": "Allow",
                "Principal": {"AWS": Ref("ExecutionRoleArn")},
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [GetAtt(lid, "Arn"), Sub(f"${{{lid}.Arn}}/*")],
            }
        )
    if pconcepts:
        statements.append(
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": rng.choice(("*", {"AWS": "*"})),
                "Action": rng.choice(("s3:GetObject", ["s3:GetObject", "s3:ListBucket"], "s3:*")),
                "Resource": Sub(f"${{{lid}.Arn}}/*"),
            }
        )
    policy = {"Bucket": Ref(lid), "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}
    state.add(pid, BUCKET_POLICY, policy, pconcepts)
    for c in pconcepts:
        state.plant(pid, c, also=(lid,))


# unit -> (resources it adds, relative weight)
_UNITS = {
    "notebook": (1, 3),
    "serving1": (3, 2),
    "serving2": (4, 1),
    "domain": (1, 1),
    "bucket": (2, 3),
}


def generate_template(n: int, seed: int = DEFAULT_SEED) -> tuple[str, dict[str, Any]]:
    """The YAML text of a template with exactly `n` resources, and its manifest."""
    if n < 1:
        raise ValueError("a template needs at least one resource")
    state = _State(rng=random.Random(f"guardrails-bench:{seed}:{n}"))
    count = 0
    idx = 0
    while count < n:
        left = n - count
        units = [u for u, (size, _) in _UNITS.items() if size <= left]
        unit = state.rng.choices(units, weights=[_UNITS[u][1] for u in units])[0]
        idx += 1
        if unit == "notebook":
            _notebook(state, idx)
        elif unit == "serving1":
            _serving_stack(state, idx, 1)
        elif unit == "serving2":
            _serving_stack(state, idx, 2)
        elif unit == "domain":
            _domain(state, idx)
        else:
            _bucket(state, idx)
        count += _UNITS[unit][0]
    assert len(state.resources) == n
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"guardrails benchmark: {n} SageMaker and S3 resources (generated, seed {seed})",
        "Parameters": PARAMETERS,
        "Resources": state.resources,
    }
    text = yaml.dump(template, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=120)
    by_type: dict[str, int] = {}
    for item in state.info.values():
        by_type[item["type"]] = by_type.get(item["type"], 0) + 1
    # noncompliant: a planted violation, a public policy (its bucket), or serving a noncompliant config/model
    flagged = {lid for lid, i in state.info.items() if i["planted"]}
    flagged |= {a for p in state.planted for a in p["also_reported_on"]}
    flagged |= {d["logical_id"] for d in state.derived}
    by_concept: dict[str, int] = {c: 0 for c in CONCEPTS}
    for p in state.planted:
        by_concept[p["concept"]] += 1
    manifest = {
        "generator": "bench/generate_templates.py",
        "seed": seed,
        "size": n,
        "counts": {
            "resources": n,
            "by_type": dict(sorted(by_type.items())),
            "compliant": n - len(flagged),
            "noncompliant": len(flagged),
            "planted": len(state.planted),
            "planted_by_concept": by_concept,
            "derived": len(state.derived),
        },
        "concepts": {
            c: {"resource_type": t, "control": ctl, "description": d} for c, (t, ctl, d) in CONCEPTS.items()
        },
        "planted": state.planted,
        "derived": state.derived,
        "resources": state.info,
    }
    return text, manifest


def write_template(n: int, out_dir: Path, seed: int = DEFAULT_SEED) -> tuple[Path, Path]:
    """Write `bench_<n>.yaml` and `bench_<n>.manifest.json` into `out_dir`; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    text, manifest = generate_template(n, seed)
    template_path = out_dir / f"bench_{n}.yaml"
    manifest["template"] = template_path.name
    manifest_path = out_dir / f"bench_{n}.manifest.json"
    template_path.write_text(
        f"# Generated by bench/generate_templates.py (seed {seed}); do not edit.\n{text}"
    )
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return template_path, manifest_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    for n in args.sizes:
        template_path, manifest_path = write_template(n, args.out, args.seed)
        counts = json.loads(manifest_path.read_text())["counts"]
        print(
            f"{template_path}: {n} resources, {counts['compliant']} compliant, "
            f"{counts['planted']} planted violations, {counts['derived']} derived (SM-17, S3-07)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
