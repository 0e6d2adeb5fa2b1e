"""Before/after proof for a rewrite of the Rego policies: the findings (the entry rule's full JSON) of
every input document, evaluated by regorus with the policies of a git revision and with the policies of
the working tree, must be byte-identical.

    python bench/rego_verdicts.py --before main                      # templates of the defaults below
    python bench/rego_verdicts.py --before HEAD~3 --inputs extra.jsonl  # plus recorded input documents
    python bench/rego_verdicts.py --before main --opa               # the same check under OPA Go too

Inputs: the canonical documents (`guardrails check`'s own loader, at every enforcement point) of every
template under tests/fixtures and ../shared/corpus, of the benchmark templates generated for sizes 100,
1000 and 5000 with several seeds, and of `--inputs` files (one JSON document per line, for example the
documents a test run evaluated). Each document is also evaluated in *variants* that exercise the unknown
and placeholder paths of the policies: every top-level property listed in `context.unknown` in turn,
every top-level property replaced by an `<unknown>` placeholder, by a specific placeholder, by null and
by an empty value, and the whole properties listed unknown ("") (the documents of the larger
generated templates, which repeat the shapes of the smallest, are evaluated as they are); with
`--deep N`, up to N more variants of each at every depth, related documents included. Exit status 1
when any document's findings differ (the first differences are printed).
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guardrails.engine.bundle import ENTRY_RULE  # noqa: E402
from guardrails.engine.regorus_backend import _compile  # noqa: E402
from guardrails.sources.discovery import load_inputs  # noqa: E402

POINTS = ("pre-deploy", "admission", "runtime", "scan")
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")


def policies_at(rev: str, into: Path) -> Path:
    """The policies/ folder of git revision `rev`, extracted under `into`."""
    raw = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, "policies"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        tar.extractall(into, filter="data")
    return into / "policies"


def modules_of(policy_dir: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """The non-test modules (keyed as the bundle keys them) and the data of a policies folder."""
    modules = {
        f"policies/{p.relative_to(policy_dir).as_posix()}": p.read_text(encoding="utf-8")
        for p in sorted(policy_dir.rglob("*.rego"))
        if not p.name.endswith("_test.rego")
    }
    data: dict[str, Any] = {}
    for p in sorted((policy_dir / "data").glob("*.json")):
        data = merge(data, json.loads(p.read_text(encoding="utf-8")))
    return modules, data


def merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = merge(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
    return out


def template_documents(paths: list[Path]) -> Iterator[str]:
    for path in paths:
        for point in POINTS:
            try:
                loaded = load_inputs([path], None, point=point)  # type: ignore[arg-type]
            except Exception:  # noqa: BLE001 - a fixture that does not load is no input
                continue
            for doc in loaded.documents:
                yield json.dumps(doc.to_input(), sort_keys=True)


def placeholder_values() -> list[Any]:
    return ["<unknown>", "<unknown specific: x>", None, "", [], {}, {"Ref": "P"}]


def variants(text: str) -> Iterator[str]:
    """The document itself and its unknown/placeholder variants (top-level properties)."""
    yield text
    doc = json.loads(text)
    props = doc.get("resource", {}).get("properties")
    if not isinstance(props, dict):
        return
    context = doc.setdefault("context", {})
    base_unknown = list(context.get("unknown") or [])
    for extra in ["", *sorted(props)]:
        v = copy.deepcopy(doc)
        v["context"]["unknown"] = [*base_unknown, extra]
        yield json.dumps(v, sort_keys=True)
    for key in sorted(props):
        for value in placeholder_values():
            v = copy.deepcopy(doc)
            v["resource"]["properties"][key] = value
            yield json.dumps(v, sort_keys=True)
        value = props[key]
        # one level down: each member (the first three of a list) listed unknown / a placeholder
        members: list[Any] = (
            sorted(value)
            if isinstance(value, dict)
            else list(range(min(len(value), 3)))
            if isinstance(value, list)
            else []
        )
        for sub in members:
            v = copy.deepcopy(doc)
            v["context"]["unknown"] = [*base_unknown, f"{key}.{sub}"]
            yield json.dumps(v, sort_keys=True)
            v = copy.deepcopy(doc)
            v["resource"]["properties"][key][sub] = "<unknown>"
            yield json.dumps(v, sort_keys=True)


def paths(value: Any, prefix: tuple[str | int, ...] = (), depth: int = 6) -> Iterator[tuple[str | int, ...]]:
    """Every member and element path below value (objects and lists, up to depth levels)."""
    if depth == 0:
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in items:
        yield (*prefix, key)
        yield from paths(child, (*prefix, key), depth - 1)


def documents_within(doc: Any, at: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The location of doc and of every related document nested in it (related[<key>] ...)."""
    yield at
    related = doc.get("related") if isinstance(doc, dict) else None
    if isinstance(related, dict):
        for key, sub in related.items():
            if isinstance(sub, dict):
                yield from documents_within(sub, (*at, "related", key))


def deep_variants(text: str, limit: int) -> Iterator[str]:
    """Variants at every depth of the properties of the document and of its related documents: each
    path listed in that document's context.unknown, or its value replaced by a placeholder, a specific
    placeholder or "*", or removed. At most `limit`, a deterministic sample when there are more."""
    doc = json.loads(text)
    edits: list[tuple[tuple[str, ...], tuple[str | int, ...], str]] = []
    for at in documents_within(doc):
        target = doc
        for key in at:
            target = target[key]
        props = (
            target.get("resource", {}).get("properties") if isinstance(target.get("resource"), dict) else None
        )
        if not isinstance(props, (dict, list)):
            continue
        for path in paths(props):
            for edit in ("list", "<unknown>", "<unknown specific: x>", "*", "remove"):
                edits.append((at, path, edit))
    if len(edits) > limit:
        edits = random.Random(text).sample(edits, limit)
    for at, path, edit in edits:
        v = copy.deepcopy(doc)
        target = v
        for key in at:
            target = target[key]
        if edit == "list":
            context = target.setdefault("context", {})
            if not isinstance(context, dict):
                continue
            listed = context.get("unknown")
            context["unknown"] = [*(listed if isinstance(listed, list) else []), ".".join(map(str, path))]
        else:
            parent = target["resource"]["properties"]
            for key in path[:-1]:
                parent = parent[key]
            if edit == "remove":
                if isinstance(parent, dict):
                    del parent[path[-1]]
                else:
                    parent.pop(path[-1])  # type: ignore[call-overload]
            else:
                parent[path[-1]] = edit
        yield json.dumps(v, sort_keys=True)


def evaluate(engine: Any, text: str) -> str:
    try:
        engine.set_input_json(text)
        return str(engine.eval_rule_as_json(ENTRY_RULE))
    except Exception as exc:  # noqa: BLE001 - an engine error is a verdict too
        return f"ERROR {str(exc).split('Stack backtrace:', 1)[0].strip()}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", required=True, help="git revision whose policies/ is the reference")
    parser.add_argument(
        "--inputs", type=Path, nargs="*", default=[], help="JSON-lines files of input documents"
    )
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 5000])
    parser.add_argument("--no-variants", action="store_true", help="only the documents as they are")
    parser.add_argument(
        "--deep",
        type=int,
        default=0,
        metavar="N",
        help="also up to N variants at every depth (related documents included) of each pre-deploy document",
    )
    parser.add_argument("--opa", action="store_true", help="also compare the findings under OPA Go")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        before_modules, before_data = modules_of(policies_at(args.before, Path(tmp) / "before"))
        after_modules, after_data = modules_of(ROOT / "policies")
        before = _compile(before_modules, before_data)
        after = _compile(after_modules, after_data)

        gen = Path(tmp) / "templates"
        for seed in args.seeds:
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "bench" / "generate_templates.py"),
                    "--seed",
                    str(seed),
                    "--sizes",
                    *map(str, args.sizes),
                    "--out",
                    str(gen / str(seed)),
                ],
                check=True,
                capture_output=True,
            )
        templates = sorted(
            p
            for folder in (ROOT / "tests" / "fixtures", ROOT.parent / "shared" / "corpus", gen)
            if folder.is_dir()
            for p in folder.rglob("*")
            if p.is_file() and p.suffix in TEMPLATE_SUFFIXES and not p.name.endswith(".manifest.json")
        )
        smallest = f"bench_{min(args.sizes)}.yaml"
        seen: set[str] = set()
        documents: list[str] = []
        varied: list[str] = []  # the documents whose variants are evaluated too

        def add(text: str, vary: bool = True) -> None:
            if text not in seen:
                seen.add(text)
                documents.append(text)
                if vary:
                    varied.append(text)

        # The larger generated templates repeat the shapes of the smallest: no variants of theirs.
        for template in templates:
            vary = not template.is_relative_to(gen) or template.name == smallest
            for text in template_documents([template]):
                add(text, vary)
        for path in args.inputs:
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    doc = json.loads(line)
                except json.JSONDecodeError:
                    continue
                docs = (
                    doc["documents"]
                    if isinstance(doc, dict) and isinstance(doc.get("documents"), list)
                    else [doc]
                )
                for d in docs:  # recorded documents are evaluated as they are, without variants
                    add(json.dumps(d, sort_keys=True), False)
        originals = len(documents)
        if not args.no_variants:
            for text in list(varied):
                for v in variants(text):
                    add(v, False)
                if args.deep and json.loads(text).get("context", {}).get("point") in (None, "pre-deploy"):
                    for v in deep_variants(text, args.deep):
                        add(v, False)
        print(f"{len(templates)} templates, {originals} distinct documents, {len(documents)} with variants")

        differences = 0
        cpu = {"before": 0.0, "after": 0.0}
        for text in documents:
            t = time.process_time()
            a = evaluate(before, text)
            cpu["before"] += time.process_time() - t
            t = time.process_time()
            b = evaluate(after, text)
            cpu["after"] += time.process_time() - t
            if a != b:
                differences += 1
                if differences <= 5:
                    print(f"DIFFERENT\n  input  {text[:2000]}\n  before {a[:2000]}\n  after  {b[:2000]}")
        print(
            f"regorus: {len(documents)} documents, {differences} differ; "
            f"CPU before {cpu['before']:.2f} s, after {cpu['after']:.2f} s"
        )

        if args.opa:
            import opa_bindings

            def opa_engine(modules: dict[str, str], data: dict[str, Any]) -> Any:
                engine = opa_bindings.OpaEngine()
                if data:
                    engine.add_data(data)
                for name, text in modules.items():
                    engine.add_policy(name, text)
                return engine

            rule = ENTRY_RULE.removeprefix("data.")
            ob, oa = opa_engine(before_modules, before_data), opa_engine(after_modules, after_data)
            opa_diff = 0
            for text in documents:
                doc = json.loads(text)
                results = []
                for engine in (ob, oa):
                    try:
                        results.append(json.dumps(engine.eval_document(rule, doc), sort_keys=True))
                    except Exception as exc:  # noqa: BLE001
                        results.append(f"ERROR {exc}")
                if results[0] != results[1]:
                    opa_diff += 1
                    if opa_diff <= 5:
                        print(f"OPA DIFFERENT\n  input  {text[:2000]}")
                        print(f"  before {results[0][:2000]}\n  after  {results[1][:2000]}")
            print(f"OPA Go: {len(documents)} documents, {opa_diff} differ")
            differences += opa_diff
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
