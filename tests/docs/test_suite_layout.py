"""What docs/development.md promises about the suite: test modules in area folders, none importing another
(shared fixtures come from conftest.py, helpers from tests/*.py support modules), and no test that skips
on its own: a missing prerequisite goes through fixture_paths.unavailable(), which fails in CI."""

from __future__ import annotations

import ast
from pathlib import Path

from fixture_paths import REPO

TESTS = REPO / "tests"
AREAS = {"admission", "audit", "runtime", "scan", "sources", "engine", "cli", "deploy", "docs"}


def _test_modules() -> list[Path]:
    return sorted(p for p in TESTS.rglob("test_*.py") if "fixtures" not in p.relative_to(TESTS).parts)


def test_every_test_module_is_in_an_area_folder():
    modules = _test_modules()
    assert modules
    assert [p for p in modules if p.parent.name not in AREAS or p.parent.parent != TESTS] == []


def test_no_test_module_imports_another_test_module_or_a_conftest():
    offending = []
    for path in [*_test_modules(), *TESTS.glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            offending += [
                f"{path.relative_to(TESTS)}: {n}" for n in names if n.startswith(("test_", "conftest"))
            ]
    assert offending == []


def _skips(tree: ast.AST) -> list[str]:
    """pytest.skip(...), pytest.importorskip(...), pytest.mark.skip and pytest.mark.skipif in a module."""
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id == "pytest" and node.attr in ("skip", "importorskip"):
            if id(node) in called:  # pytest.skip.Exception, in a test of the skip itself, is no skip
                found.append(f"pytest.{node.attr}")
        elif isinstance(owner, ast.Attribute) and owner.attr == "mark" and node.attr in ("skip", "skipif"):
            found.append(f"pytest.mark.{node.attr}")
    return found


def test_only_fixture_paths_decides_to_skip():
    """skipif, importorskip and pytest.skip() would skip in CI too; unavailable() fails there."""
    offending = []
    for path in [*_test_modules(), *TESTS.rglob("conftest.py"), *TESTS.glob("*.py")]:
        if path.name == "fixture_paths.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offending += [f"{path.relative_to(TESTS)}: {skip}" for skip in _skips(tree)]
    assert offending == []


def test_the_skip_finder_sees_each_kind_of_skip():
    source = (
        "import pytest\n"
        "pytestmark = pytest.mark.skip\n"
        "@pytest.mark.skipif(True, reason='x')\n"
        "def t():\n"
        "    pytest.importorskip('x')\n"
        "    pytest.skip('x')\n"
    )
    assert sorted(_skips(ast.parse(source))) == [
        "pytest.importorskip",
        "pytest.mark.skip",
        "pytest.mark.skipif",
        "pytest.skip",
    ]
