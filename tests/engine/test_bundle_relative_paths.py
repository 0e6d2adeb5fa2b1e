"""The policy bundle's module keys and digest name each file by its path relative to its folder:
`_relative_posix` is `path.relative_to(root).as_posix()` for every path under the root."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guardrails.engine.bundle import _relative_posix

PART = st.sampled_from(["a", "b.rego", "lib", ".hidden", "a b", "é", "x-y", "..", "."])


@given(st.lists(PART, max_size=3), st.lists(PART, min_size=1, max_size=3), st.booleans())
def test_as_pathlib_says(root_parts: list[str], rest: list[str], absolute: bool) -> None:
    root = Path("/" if absolute else ".", *root_parts)
    path = root.joinpath(*rest)
    try:
        expected = path.relative_to(root).as_posix()
    except ValueError:
        with pytest.raises(ValueError):
            _relative_posix(path, root)
        return
    assert _relative_posix(path, root) == expected


@pytest.mark.parametrize(
    ("path", "root"),
    [("/a/b", "/"), ("a/b", "."), ("//a/b", "//a"), ("/ab/c", "/a"), ("/a", "/a"), ("b/c", "a")],
)
def test_edges(path: str, root: str) -> None:
    try:
        expected = Path(path).relative_to(Path(root)).as_posix()
    except ValueError:
        with pytest.raises(ValueError):
            _relative_posix(Path(path), Path(root))
        return
    assert _relative_posix(Path(path), Path(root)) == expected


def test_the_shipped_bundle_is_named_as_before(tmp_path: Path) -> None:
    from guardrails.engine.bundle import PolicyBundle, default_policy_dir

    root = default_policy_dir()
    bundle = PolicyBundle.load()
    keys = sorted(f"{root.name}/{p.relative_to(root).as_posix()}" for p in root.rglob("*.rego"))
    assert sorted([*bundle.modules, *bundle.tests]) == keys
