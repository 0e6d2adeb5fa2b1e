"""The console script's precompiled regular expressions (cli/precompiled_regexes.py) are the patterns
`re.compile` makes, and `re.compile` returns them once seeded."""

from __future__ import annotations

import _sre
import ast
import re
from re import _compiler  # type: ignore[attr-defined]

import pytest
from fresh_interpreter import run_in_fresh_interpreter
from guardrails.cli import precompiled_regexes, regex_code


def test_every_precompiled_pattern_is_what_re_compiles() -> None:
    assert regex_code.SRE_MAGIC == _sre.MAGIC, (
        "another regex engine: python -m guardrails.cli.precompiled_regexes"
    )
    assert len(regex_code.PATTERNS) > 40
    for pattern, flags, compiled_flags, code, groups, groupindex, indexgroup in regex_code.PATTERNS:
        ours = _sre.compile(pattern, compiled_flags, code, groups, groupindex, indexgroup)
        theirs = _compiler.compile(pattern, flags)
        assert ours == theirs, pattern  # flags, pattern and the engine's code
        assert (ours.flags, ours.groups, dict(ours.groupindex)) == (
            theirs.flags,
            theirs.groups,
            dict(theirs.groupindex),
        )


def test_yamls_reader_pattern_is_among_them() -> None:
    """The one that costs most (57 M instructions): PyYAML's pure-Python reader's."""
    import yaml.reader

    assert (yaml.reader.Reader.NON_PRINTABLE.pattern, 0) in [(p, f) for p, f, *_ in regex_code.PATTERNS]


def test_the_generated_patterns_cover_what_a_check_compiles() -> None:
    """Nearly every pattern a check's imports compile is precompiled (recorded in a fresh interpreter); a
    new or changed pattern only costs its compile until the file is regenerated (`python -m
    guardrails.cli.precompiled_regexes`), so the test allows a few."""
    probe = "from guardrails.cli import precompiled_regexes as p\nprint(repr(p._recorded_patterns()))\n"
    recorded = ast.literal_eval(run_in_fresh_interpreter(probe))
    known = {(pattern, flags) for pattern, flags, *_ in regex_code.PATTERNS}
    missing = [entry for entry in recorded if entry not in known]
    assert len(recorded) > 40
    assert len(missing) <= len(recorded) // 10, "regenerate: python -m guardrails.cli.precompiled_regexes"


def test_seed_fills_res_cache_and_re_compile_returns_the_seeded_patterns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(re, "_cache", {})
    held = re.compile(regex_code.PATTERNS[0][0], regex_code.PATTERNS[0][1])  # already cached: kept
    precompiled_regexes.seed()
    assert len(re._cache) == len(regex_code.PATTERNS)  # type: ignore[attr-defined]
    assert re.compile(regex_code.PATTERNS[0][0], regex_code.PATTERNS[0][1]) is held
    compiled: list[object] = []
    monkeypatch.setattr(_compiler, "compile", lambda *args: compiled.append(args))
    for pattern, flags, *_ in regex_code.PATTERNS:
        assert re.compile(pattern, flags).pattern == pattern
    assert compiled == []  # every one found in the cache


def test_seed_never_grows_res_cache_past_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(re, "_cache", {})
    monkeypatch.setattr(re, "_MAXCACHE", 10)
    precompiled_regexes.seed()
    assert len(re._cache) == 10  # type: ignore[attr-defined]
