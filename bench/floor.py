"""The floor of a `guardrails check`: what any implementation must pay, and nothing else.

`python bench/floor.py TEMPLATE INPUTS BUNDLE` starts an interpreter, imports PyYAML and regorus, parses
TEMPLATE with PyYAML's C loader (CloudFormation short-form tags read as plain values), loads the policy
bundle (BUNDLE: the Rego modules and data guardrails evaluates) into a regorus engine, and evaluates
every canonical document in INPUTS (one JSON document per line, made beforehand by guardrails itself,
see `prepare`) with the entry rule guardrails queries, parsing each result. It prints
`{"documents": N, "findings": M}`.

Left out, because they are guardrails' own work: building the canonical documents (intrinsics,
references, S3 joins), the strict YAML checks (duplicate keys, alias limits, line numbers),
configuration, decisions, digests, suppressions, the report. bench/check_bench.py measures this floor
beside guardrails and reports guardrails' CPU as a multiple of it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("RUST_LIB_BACKTRACE", "0")  # as guardrails' regorus backend does

ENTRY_RULE = "data.guardrails.main.findings"


def prepare(template: Path, out_dir: Path) -> tuple[Path, Path]:
    """Write the floor's inputs for TEMPLATE: its canonical documents as guardrails builds them (one JSON
    line each) and the bundled policies. Run in the bench's own interpreter (not measured)."""
    from guardrails.engine import PolicyBundle
    from guardrails.sources.discovery import load_inputs

    loaded = load_inputs([template], None, point="pre-deploy")
    if loaded.errors:
        sys.exit(f"guardrails could not read {template}: {loaded.errors}")
    inputs = out_dir / f"{template.stem}.inputs.jsonl"
    inputs.write_text("".join(json.dumps(d.to_input()) + "\n" for d in loaded.documents))
    bundle = PolicyBundle.load()
    bundle_file = out_dir / "bundle.json"
    bundle_file.write_text(json.dumps({"modules": bundle.modules, "data": bundle.data}))
    return inputs, bundle_file


def main(argv: list[str]) -> int:
    import regorus
    import yaml

    template, inputs, bundle_file = (Path(a) for a in argv)

    class Loader(yaml.CSafeLoader):
        pass

    def any_tag(loader: Loader, suffix: str, node: yaml.Node) -> object:
        if isinstance(node, yaml.ScalarNode):
            value: object = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node)
        else:
            value = loader.construct_mapping(node)
        return {suffix: value}

    Loader.add_multi_constructor("!", any_tag)
    with template.open("rb") as f:
        yaml.load(f, Loader=Loader)  # noqa: S506 (a SafeLoader subclass)

    bundle = json.loads(bundle_file.read_text())
    engine = regorus.Engine()
    engine.add_data_json(json.dumps(bundle["data"]))
    for name, text in bundle["modules"].items():
        engine.add_policy(name, text)
    documents = findings = 0
    with inputs.open() as f:
        for line in f:
            engine.set_input_json(line)
            raw = engine.eval_rule_as_json(ENTRY_RULE)
            findings += len(json.loads(raw)) if raw is not None else 0
            documents += 1
    print(json.dumps({"documents": documents, "findings": findings}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
