"""The catalog's fast YAML reader returns what PyYAML's safe loader returns, or declines (NOT_PLAIN)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from guardrails.engine.bundle import default_policy_dir
from guardrails.engine.plain_yaml import NOT_PLAIN, plain_yaml


def safe_load(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506 (a safe loader)


PLAIN = [
    "a: b\n",
    "version: '2026.1'\ncontrols: []\n",
    'a: "1"\nb: \'true\'\nc: "null"\nd: "2024-01-01"\ne: ""\n',
    "a:\n  - x\n  - y\n  - {k: v, l: [m, n]}\nb: {}\n",
    "a: b\na: c\nd: e\n",  # a repeated key: the last value, in the first key's place
    "a: >-\n  folded\n  text\n\n  para\nb: |\n  kept\n   lines\n",
    "- one\n- two words\n- Yesterday\n- Nothing\n- offline\n- True love\n- 1st\n- 3x\n- -x\n- .x\n",
    "# comment only before\n---\nkey: value # trailing\n...\n",
    "ünïcödé: ✓\n'quoted key': x\n",
    "[a, [b, c], {d: e}]\n",
    "plain text\n",
]

NOT_PLAIN_TEXTS = [
    "",  # no document: the loader returns None
    "a:\n",  # null
    "a: ~\n",
    "a: null\n",
    "a: 1\n",
    "a: -1\n",
    "a: 1.5\n",
    "a: .inf\n",
    "a: 0x1f\n",
    "a: true\n",
    "a: yes\n",
    "a: Off\n",
    "a: 2024-01-01\n",
    "a: =\n",
    "base: &b {x: y}\nother:\n  <<: *b\n",
    "a: &x b\nc: *x\n",
    "a: !tag b\n",
    "a: !!str b\n",
    "!!map {a: b}\n",
    "--- a\n--- b\n",
    "? [a, b]\n: c\n",
    "? {a: b}\n: c\n",
    "a: [b, c\n",  # a syntax error: the full loader raises it
    "a: b\n  c: d\n",
    "\t- tab\n",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_documents_read_as_the_safe_loader_reads_them(text: str) -> None:
    data = plain_yaml(text)
    assert data is not NOT_PLAIN
    assert data == safe_load(text)
    assert repr(data) == repr(safe_load(text))  # key order and types too


@pytest.mark.parametrize("text", NOT_PLAIN_TEXTS)
def test_anything_else_is_left_to_the_full_loader(text: str) -> None:
    assert plain_yaml(text) is NOT_PLAIN


def test_the_shipped_catalog_is_plain() -> None:
    text = (default_policy_dir() / "catalog.yaml").read_text(encoding="utf-8")
    data = plain_yaml(text)
    assert data is not NOT_PLAIN and repr(data) == repr(safe_load(text))


def test_resolvers_added_to_the_safe_loader_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    class Loader(yaml.CSafeLoader):
        pass

    Loader.add_implicit_resolver("tag:example.com,2026:word", re.compile("^word$"), list("w"))
    monkeypatch.setattr(yaml, "CSafeLoader", Loader)
    assert plain_yaml("a: b\n") == {"a": "b"}
    assert plain_yaml("a: word\n") is NOT_PLAIN


def test_a_changed_string_constructor_is_left_to_the_full_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    class Loader(yaml.CSafeLoader):
        pass

    Loader.add_constructor("tag:yaml.org,2002:str", lambda loader, node: node.value.upper())
    monkeypatch.setattr(yaml, "CSafeLoader", Loader)
    assert plain_yaml("a: b\n") is NOT_PLAIN
