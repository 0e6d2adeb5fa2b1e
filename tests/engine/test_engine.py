"""The regorus backend and the bundle loader, on small policy folders written by the tests."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from guardrails.engine import BundleError, EngineError, PolicyBundle, create_evaluator

MAIN = """package guardrails.main
import rego.v1
findings contains v if { some name; some v in data.guardrails.rules[name].deny }
"""
RULE = """package guardrails.rules.custom
import rego.v1
deny contains {"control": "CU-01", "message": "x is one", "path": "x"} if input.resource.properties.x == 1
deny contains {"control": "CU-02", "message": "y unknown", "path": "y", "unknown": true} if {
    "y" in input.context.unknown
}
deny contains {"control": "CU-03", "message": "boom", "path": "z"} if to_number(input.resource.properties.z) > 1
"""
TESTS = """package guardrails.tests.custom_test
import rego.v1
test_one_fails if { count(data.guardrails.rules.custom.deny) == 1 with input as {"resource": {"properties": {"x": 1}}} }
test_deliberately_wrong if { count(data.guardrails.rules.custom.deny) == 5 with input as {"resource": {"properties": {}}} }
"""
CATALOG = """version: "t1"
controls:
  - {id: CU-01, title: x is not one, severity: high, resource_types: [T], default_enforcement: deny, remediation: set x}
"""


def policy_dir(tmp_path: Path, **files: str) -> Path:
    root = tmp_path / "policies"
    root.mkdir()
    for name, text in {
        "main.rego": MAIN,
        "custom.rego": RULE,
        "custom_test.rego": TESTS,
        "catalog.yaml": CATALOG,
        **files,
    }.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def doc(**props) -> dict:
    return {"resource": {"type": "T", "name": "n", "properties": props}, "context": {"unknown": []}}


def test_findings_and_unknown_flag(tmp_path):
    evaluator = create_evaluator(PolicyBundle.load([policy_dir(tmp_path)], include_default=False))
    assert [f.control for f in evaluator.evaluate(doc(x=1))] == ["CU-01"]
    assert evaluator.evaluate(doc(x=2)) == []
    unknown = evaluator.evaluate(
        {"resource": {"type": "T", "name": "n", "properties": {}}, "context": {"unknown": ["y"]}}
    )
    assert [(f.control, f.unknown) for f in unknown] == [("CU-02", True)]


def test_engine_error_is_an_error_not_a_pass(tmp_path):
    evaluator = create_evaluator(PolicyBundle.load([policy_dir(tmp_path)], include_default=False))
    with pytest.raises(EngineError) as err:
        evaluator.evaluate(doc(z="not a number"))
    assert "Stack backtrace" not in str(err.value)
    results = evaluator.evaluate_many([doc(x=1), doc(z="nan-text"), doc()])
    assert isinstance(results[1], EngineError)
    assert [f.control for f in results[0]] == ["CU-01"] and results[2] == []


def test_policy_that_does_not_compile_names_the_file(tmp_path):
    root = policy_dir(
        tmp_path, **{"broken.rego": "package guardrails.rules.broken\nimport rego.v1\nx if { y }\n"}
    )
    with pytest.raises(BundleError, match="broken.rego:3"):
        create_evaluator(PolicyBundle.load([root], include_default=False))


def test_run_tests_reports_each_test(tmp_path):
    evaluator = create_evaluator(PolicyBundle.load([policy_dir(tmp_path)], include_default=False))
    results = {r.name: r.passed for r in evaluator.run_tests()}
    assert results == {"test_one_fails": True, "test_deliberately_wrong": False}


def test_digest_changes_with_any_policy_byte(tmp_path):
    root = policy_dir(tmp_path)
    first = PolicyBundle.load([root], include_default=False).digest
    (root / "custom.rego").write_text(RULE + "\n", encoding="utf-8")
    assert PolicyBundle.load([root], include_default=False).digest != first


def files_digest(roots: list[Path]) -> str:
    """The digest's definition: sha256 over (relative path NUL, bytes NUL) of every policy, test, catalog and
    data file of each root, in path order, read from disk."""
    h = hashlib.sha256()
    for root in roots:
        files = [*root.rglob("*.rego"), *root.glob("catalog.yaml"), *(root / "data").glob("*.json")]
        for path in sorted(files):
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + h.hexdigest()


def test_digest_is_of_the_bytes_on_disk_and_texts_read_as_text(tmp_path):
    """`load` reads each file once: the digest is of its bytes (CRLF kept), the modules, data and catalog of
    its text with universal newlines, as `Path.read_text` reads it."""
    root = policy_dir(tmp_path)
    (root / "sub").mkdir()
    (root / "sub" / "crlf.rego").write_bytes(b"package guardrails.rules.crlf\r\nimport rego.v1\r\nx := 1\r\n")
    (root / "catalog.yaml").write_bytes(CATALOG.replace("\n", "\r\n").encode())
    (root / "data").mkdir()
    (root / "data" / "facts.json").write_bytes(b'{"facts": {"a": "b"}}\r\n')
    bundle = PolicyBundle.load([root], include_default=False)
    default = PolicyBundle.load()
    assert bundle.modules["policies/sub/crlf.rego"] == (root / "sub" / "crlf.rego").read_text(
        encoding="utf-8"
    )
    assert bundle.data == {"facts": {"a": "b"}} and bundle.version == "t1"
    assert bundle.digest == files_digest([root]) == PolicyBundle(roots=[root]).digest
    assert default.digest == files_digest(default.roots) == PolicyBundle(roots=default.roots).digest
    org = tmp_path / "org"
    org.mkdir()
    (org / "org.rego").write_bytes(b"package org.x\rimport rego.v1\rx := 1\r")  # old Mac line ends
    both = PolicyBundle.load([org])
    assert both.modules["org/org.rego"] == "package org.x\nimport rego.v1\nx := 1\n"
    assert both.digest == files_digest(both.roots)


def test_catalog_version_and_entries(tmp_path):
    bundle = PolicyBundle.load([policy_dir(tmp_path)], include_default=False)
    assert bundle.version == "t1"
    assert bundle.catalog.by_id["CU-01"].severity == "high"


def test_invalid_catalog_is_a_bundle_error(tmp_path):
    root = policy_dir(tmp_path, **{"catalog.yaml": "version: 1\ncontrols: [{id: X}]\n"})
    with pytest.raises(BundleError, match="catalog"):
        PolicyBundle.load([root], include_default=False)


def test_one_engine_per_thread_gives_the_same_answers(tmp_path):
    evaluator = create_evaluator(PolicyBundle.load([policy_dir(tmp_path)], include_default=False))
    errors: list[str] = []

    def work(seed: int) -> None:
        try:
            check(seed)
        except BaseException as exc:  # a pyo3 panic is a BaseException
            errors.append(f"{seed}: {type(exc).__name__}: {exc}")

    def check(seed: int) -> None:
        for i in range(200):
            expected = ["CU-01"] if (i + seed) % 2 else []
            got = [f.control for f in evaluator.evaluate(doc(x=(i + seed) % 2))]
            if got != expected:
                errors.append(f"{seed}/{i}: {got}")

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_regorus_version_matches_the_installed_distribution() -> None:
    from importlib.metadata import version

    from guardrails.engine.regorus_backend import REGORUS_DISTRIBUTION, regorus_version

    assert regorus_version() == version(REGORUS_DISTRIBUTION)
