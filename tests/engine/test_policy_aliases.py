"""No policy reads a *rule* through an import alias.

regorus evaluates the whole aliased package tree when a rule is read through an alias (`lib.related`,
`kmslib.managed_by_aws`): ~270 us a document, half a check's policy time before it was found
(bench/README.md, the Rego pass). Functions called through an alias are fine; rules are read by their full
path (`data.guardrails.lib.related`), as policies/README.md asks. This test reads the bundled policies'
sources: every `alias.name` whose `name` is a rule (not a function) of the aliased package is reported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

POLICIES = Path(__file__).resolve().parents[2] / "policies"
PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
IMPORT = re.compile(r"^import\s+data\.([\w.]+)(?:\s+as\s+(\w+))?\s*$", re.MULTILINE)
RULE_HEAD = re.compile(r"^(?:default\s+)?([a-z_][\w]*)\s*(\(|\[|:=|=|contains\b|if\b|\{)", re.MULTILINE)
COMMENT = re.compile(r"#.*$", re.MULTILINE)
STRING = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`')


def policy_sources() -> dict[Path, str]:
    return {
        path: STRING.sub('""', COMMENT.sub("", path.read_text(encoding="utf-8")))
        for path in sorted(POLICIES.rglob("*.rego"))
        if not path.name.endswith("_test.rego")
    }


def rules_by_package(sources: dict[Path, str]) -> dict[str, set[str]]:
    """package -> names defined as rules there (a head not followed by `(`: not a function)."""
    rules: dict[str, set[str]] = defaultdict(set)
    for text in sources.values():
        package = PACKAGE.search(text)
        assert package is not None
        for name, after in RULE_HEAD.findall(text):
            if after != "(":
                rules[package.group(1)].add(name)
    return rules


def alias_rule_reads(sources: dict[Path, str]) -> list[str]:
    rules = rules_by_package(sources)
    found = []
    for path, text in sources.items():
        for target, alias in IMPORT.findall(text):
            alias = alias or target.rsplit(".", 1)[-1]
            # rules of the aliased package and of every package under it (alias.sub.rule)
            for match in re.finditer(rf"(?<![\w.]){alias}\.([\w.]+)(?!\w)(\s*\()?", text):
                dotted, call = match.group(1), match.group(2)
                *sub, name = dotted.split(".")
                package = ".".join([target, *sub])
                if call is None and name in rules.get(package, set()):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{path.relative_to(POLICIES)}:{line}: {alias}.{dotted}")
    return found


def test_the_scan_sees_rules_and_functions() -> None:
    rules = rules_by_package(policy_sources())
    assert {"related", "props", "point"} <= rules["guardrails.lib"]
    assert "get" not in rules["guardrails.lib"]  # get(obj, path) is a function


def test_the_scan_finds_an_alias_rule_read() -> None:
    sources = {
        POLICIES / "x.rego": "package guardrails.x\nimport data.guardrails.lib\nr if { lib.related[_] }\n",
        POLICIES / "lib.rego": "package guardrails.lib\nrelated := {}\nget(o, p) := o[p]\n",
    }
    assert alias_rule_reads(sources) == ["x.rego:3: lib.related"]


def test_no_policy_reads_a_rule_through_an_import_alias() -> None:
    assert alias_rule_reads(policy_sources()) == []
