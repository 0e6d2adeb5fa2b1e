"""The floor of a `guardrails check`: what any implementation must pay, and nothing else.

`python bench/floor.py TEMPLATE INPUTS BUNDLE` starts an interpreter, imports PyYAML and regorus, parses
TEMPLATE with libyaml's event parser and the leanest builder (`load_yaml`), loads the policy
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

import contextlib
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


_SPECIAL = {"": None, "~": None, "null": None, "true": True, "false": False}


def load_yaml(text: str) -> object:
    """YAML text -> plain data with the least work: libyaml's event parser and a flat loop building dicts
    and lists (about 4x faster than PyYAML's CSafeLoader, which composes a node graph first). Short-form
    tags become `{tag: value}`, plain scalars ints, floats, booleans or null; no checks at all."""
    from yaml import events
    from yaml.cyaml import CParser

    parser = CParser(text)
    scalar, alias = events.ScalarEvent, events.AliasEvent
    starts = (events.MappingStartEvent, events.SequenceStartEvent)
    ends = (events.MappingEndEvent, events.SequenceEndEvent)
    stack: list[list] = []  # [container, pending key or None, tag, anchor]
    anchors: dict[str, object] = {}
    root: object = None
    while True:
        event = parser.get_event()
        cls = event.__class__
        if cls is scalar:
            value: object = event.value
            if event.tag is None and event.implicit[0]:
                if value in _SPECIAL:
                    value = _SPECIAL[value]
                elif value[0] in "0123456789-+.":
                    try:
                        value = int(value)
                    except ValueError:
                        with contextlib.suppress(ValueError):
                            value = float(value)
            elif event.tag and event.tag[0] == "!" and event.tag[:2] != "!!":
                value = {event.tag[1:]: value}
            if event.anchor:
                anchors[event.anchor] = value
        elif cls in starts:
            container = {} if cls is events.MappingStartEvent else []
            stack.append([container, None, event.tag, event.anchor])
            continue
        elif cls in ends:
            container, _, tag, anchor = stack.pop()
            value = {tag[1:]: container} if tag and tag[0] == "!" and tag[:2] != "!!" else container
            if anchor:
                anchors[anchor] = value
        elif cls is alias:
            value = anchors[event.anchor]
        elif cls is events.StreamEndEvent:
            parser.dispose()
            return root
        else:
            continue
        if not stack:
            root = value
            continue
        top = stack[-1]
        if isinstance(top[0], list):
            top[0].append(value)
        elif top[1] is None:
            top[1] = value
        else:
            top[0][top[1]] = value
            top[1] = None


def main(argv: list[str]) -> int:
    import regorus

    template, inputs, bundle_file = (Path(a) for a in argv)

    load_yaml(template.read_text(encoding="utf-8"))

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
