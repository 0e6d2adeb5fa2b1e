"""CPU of the regorus evaluation of the bundled policies, per document type and per rule.

    python bench/generate_templates.py --sizes 1000 --out /tmp/t
    python bench/rego_profile.py /tmp/t/bench_1000.yaml          # per type: entry rule, each deny/warn
    python bench/rego_profile.py /tmp/t/bench_1000.yaml --type AWS::S3::Bucket \\
        --expr 's3.tls_only(data.guardrails.lib.props, data.guardrails.lib.unknown_paths)'

Every document of the template (guardrails' own loader, pre-deploy) is evaluated alone, as
`guardrails check` evaluates it, and the CPU (process time) is divided by the number of documents of
each type: microseconds per document. `data.zz.floor` is a trivial rule, the per-evaluation floor
(set the input, evaluate, return JSON). `--expr` times expressions of your own, each evaluated as the
value of a rule in a package that imports the rule and check packages under short names (lib, kmslib,
iam, sm, s3, enc, net, comp, access); the rule's value is `true`, so that the time of writing a large
value as JSON is not counted. A rule read through an alias is evaluated as the whole aliased
package by regorus, so read rules by their full path (data.guardrails.lib.props) and call functions
through the aliases. Each measurement is the fastest of `--repeats` passes over the documents (the
least disturbed by other processes on a shared machine), after one unmeasured pass. With `--before
REV` it compares the entry rule per type with the policies of git revision REV instead.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guardrails.engine.bundle import ENTRY_RULE, PolicyBundle  # noqa: E402
from guardrails.engine.regorus_backend import _compile  # noqa: E402
from guardrails.sources.discovery import load_inputs  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from rego_verdicts import modules_of, policies_at  # noqa: E402

PROBE_PACKAGE = """package zz

import data.guardrails.checks.s3
import data.guardrails.checks.sagemaker_access as access
import data.guardrails.checks.sagemaker_composition as comp
import data.guardrails.checks.sagemaker_encryption as enc
import data.guardrails.checks.sagemaker_network as net
import data.guardrails.lib
import data.guardrails.lib.iam
import data.guardrails.lib.kms as kmslib
import data.guardrails.lib.sagemaker as sm
import rego.v1

floor := 1
"""


def cpu_per_document(engine: Any, rule: str, texts: list[str], repeats: int) -> float | None:
    """Median process time per document (microseconds) of evaluating `rule`; None if it is undefined
    for the whole bundle (a package without that rule)."""
    runs = []
    for i in range(repeats + 1):
        start = time.process_time()
        try:
            for text in texts:
                engine.set_input_json(text)
                engine.eval_rule_as_json(rule)
        except RuntimeError:
            return None
        if i:
            runs.append((time.process_time() - start) / len(texts) * 1e6)
    return min(runs)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("template", type=Path)
    parser.add_argument(
        "--type", dest="types", action="append", help="only documents of this type (repeatable)"
    )
    parser.add_argument("--expr", action="append", default=[], help="a Rego expression to time (repeatable)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--before",
        metavar="REV",
        help="compare the entry rule's CPU per type with the policies of git revision REV (runs interleaved)",
    )
    args = parser.parse_args()

    loaded = load_inputs([args.template], None, point="pre-deploy")
    by_type: dict[str, list[str]] = defaultdict(list)
    for doc in loaded.documents:
        if not args.types or doc.resource.type in args.types:
            by_type[doc.resource.type].append(json.dumps(doc.to_input()))
    bundle = PolicyBundle.load()
    engine = _compile(bundle.modules, bundle.data)
    probe = PROBE_PACKAGE + "".join(f"e{i} := true if {{ _ := {e} }}\n" for i, e in enumerate(args.expr))
    engine.add_policy("zz.rego", probe)

    packages = sorted(
        {
            m.group(1)
            for text in bundle.modules.values()
            if (m := re.search(r"^package (guardrails\.rules\.\S+)", text, re.M))
        }
    )
    rules = ["data.zz.floor", ENTRY_RULE] + [f"data.{p}.{k}" for p in packages for k in ("deny", "warn")]
    rules += [f"data.zz.e{i}" for i in range(len(args.expr))]
    labels = dict(zip(rules[len(rules) - len(args.expr) :], args.expr, strict=True)) if args.expr else {}

    total = sum(len(t) for t in by_type.values())
    if args.before:
        return compare(args.before, engine, by_type, args.repeats)
    print(f"{args.template}: {total} documents; microseconds per document (fastest of {args.repeats})")
    for type_, texts in sorted(by_type.items()):
        print(f"\n{type_} ({len(texts)} documents)")
        for rule in rules:
            us = cpu_per_document(engine, rule, texts, args.repeats)
            if us is None:
                continue
            name = labels.get(rule, rule.replace("data.guardrails.rules.", ""))
            print(f"  {us:8.0f}  {name}")
    return 0


def compare(rev: str, after: Any, by_type: dict[str, list[str]], repeats: int) -> int:
    """The entry rule's CPU per document type, policies of `rev` against the working tree's, each pass
    of one alternating with a pass of the other; the fastest pass of each."""
    with tempfile.TemporaryDirectory() as tmp:
        before = _compile(*modules_of(policies_at(rev, Path(tmp))))
    print(f"entry rule {ENTRY_RULE}, microseconds per document (fastest of {repeats}, interleaved)")
    print(f"{'type':40} {'docs':>5} {rev[:12]:>12} {'worktree':>9} {'ratio':>6}")
    sums = [0.0, 0.0]
    for type_, texts in sorted(by_type.items()):
        runs: list[list[float]] = [[], []]
        for _ in range(repeats):
            for i, engine in enumerate((before, after)):
                us = cpu_per_document(engine, ENTRY_RULE, texts, 1)
                assert us is not None
                runs[i].append(us)
        b, a = min(runs[0]), min(runs[1])
        sums[0] += b * len(texts)
        sums[1] += a * len(texts)
        print(f"{type_:40} {len(texts):5} {b:12.0f} {a:9.0f} {b / a:6.2f}")
    docs = sum(map(len, by_type.values()))
    b, a = sums[0] / 1e3, sums[1] / 1e3
    print(f"{'all documents (ms)':40} {docs:5} {b:12.1f} {a:9.1f} {b / a:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
