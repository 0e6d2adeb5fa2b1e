"""The YAML reader notes the containers resolution and `materialize` would copy unchanged ("plain", issue 15:
`yaml_reader.TemplateLines`), and both then use them as they are. Held here to the reference: every noted
container is plain by a plain recursive test, and documents built with the record are the documents built
without it (every fixture and corpus template, the bench template, generated YAML)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from fixture_paths import CORPUS, FIXTURES, REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.sources.cloudformation import (
    looks_like_cloudformation,
    parse_structured_text,
    template_documents,
)
from guardrails.sources.cloudformation.intrinsics import TemplateResolver
from guardrails.sources.cloudformation.property_values import TYPED_PROPERTIES, materialize
from guardrails.sources.cloudformation.yaml_reader import TemplateLines, parse_yaml, plain_containers
from guardrails.sources.errors import SourceError

WALKS = settings(
    max_examples=int(os.environ.get("GUARDRAILS_FUZZ_EXAMPLES", "200")),
    deadline=None,
    database=None,
    derandomize=not os.environ.get("GUARDRAILS_FUZZ_EXAMPLES"),
)


def is_plain(value: Any) -> bool:
    """The reference: nothing in `value` that resolution or `materialize` changes."""
    if isinstance(value, dict):
        if len(value) == 1 and any(key == "Ref" or str(key).startswith("Fn::") for key in value):
            return False
        if "Fn::Transform" in value:
            return False
        for key, item in value.items():
            if item is None or (isinstance(item, str) and key in TYPED_PROPERTIES):
                return False
            if not is_plain(item):
                return False
        return True
    if isinstance(value, list):
        return all(is_plain(item) for item in value)
    return type(value) in (str, int, float, bool) or value is None


def containers(value: Any) -> list[Any]:
    found = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            found.append(item)
            stack.extend(item)
    return found


def documents_text(template: dict[str, Any], lines: dict[str, int], path: Path, text: str) -> str:
    """Every document's `to_input()`, the notes, or the error, as one text."""
    try:
        result = template_documents(
            template, file=str(path), lines=lines, base_dir=path.parent, includes="AWS::Include" in text
        )
    except SourceError as exc:
        return f"error: {exc}"
    return json.dumps(
        {"documents": [d.to_input() for d in result.documents], "notes": [asdict(n) for n in result.notes]},
        default=repr,
    )


# ------------------------------------------------------------------------------- real templates


def template_files() -> list[Path]:
    suffixes = (".yaml", ".yml", ".json", ".template")
    return sorted(
        p for root in (FIXTURES, CORPUS) if root.is_dir() for p in root.rglob("*") if p.suffix in suffixes
    )


def test_every_fixture_and_corpus_template_gives_the_same_documents() -> None:
    compared = noted = 0
    for path in template_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            template, lines = parse_structured_text(text, str(path))
        except SourceError:
            continue
        if not looks_like_cloudformation(template):
            continue
        plain = plain_containers(lines)
        assert all(is_plain(container) for container in plain.values()), path
        noted += len(plain)
        fast = documents_text(template, lines, path, text)
        assert fast == documents_text(template, dict(lines), path, text), path  # a plain dict: no record
        compared += 1
    assert compared > 30
    assert noted > 100  # the record is used, not silently empty


def test_the_bench_template_gives_the_same_documents(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate_templates import write_template
    finally:
        sys.path.pop(0)
    path, _ = write_template(200, tmp_path)
    text = path.read_text()
    template, lines = parse_structured_text(text, str(path))
    plain = plain_containers(lines)
    assert len(plain) > 500
    assert all(is_plain(container) for container in plain.values())
    assert documents_text(template, lines, path, text) == documents_text(template, dict(lines), path, text)


def test_a_json_template_has_no_record() -> None:
    _, lines = parse_structured_text('{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}', "t.json")
    assert plain_containers(lines) == {}


# ------------------------------------------------------------------------------- generated YAML


class Tagged:
    """A short-form intrinsic (`!Ref X`, `!If [...]`) for the YAML writer."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


class _Writer(yaml.SafeDumper):
    pass


_Writer.add_representer(Tagged, _represent_tagged)

KEYS = ["Name", "Tags", "Key", "Value", "Ref", "Fn::If", "Fn::Sub", "Fn::Transform", "Fn::Other", "Condition"]
KEYS += ["EnableNetworkIsolation", "BlockPublicAcls", "InstanceCount", "<<"]
untagged = st.one_of(
    st.sampled_from(["x", "true", " false ", "3", "0.5", "", "null", "~", "yes", "2010-09-09"]),
    st.integers(-3, 3),
    st.booleans(),
    st.none(),
)
tagged = st.one_of(
    st.sampled_from(["P", "AWS::Region", "AWS::NoValue", "B", "Missing"]).map(lambda n: Tagged("!Ref", n)),
    st.sampled_from(["${P}-x", "plain"]).map(lambda t: Tagged("!Sub", t)),
    st.just(Tagged("!GetAtt", "B.Arn")),
    st.just(Tagged("!!str", "3")),
)
scalars = st.one_of(untagged, untagged, untagged, st.none(), tagged)  # mostly untagged: plain containers


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=4),
        st.lists(children, min_size=3, max_size=3).map(lambda args: Tagged("!If", ["C", *args[1:]])),
    )


small_containers = st.one_of(  # often plain, or all but for one null, typed text or long-form Ref
    st.dictionaries(st.sampled_from(KEYS), untagged, max_size=3),
    st.lists(untagged, max_size=3),
)
values = st.recursive(st.one_of(scalars, small_containers), _containers, max_leaves=16)


def _template(properties: Any) -> dict[str, Any]:
    return {
        "Parameters": {"P": {"Type": "String", "Default": "p"}},
        "Conditions": {"C": {"Fn::Equals": [Tagged("!Ref", "AWS::Region"), "eu-west-1"]}},
        "Resources": {
            "B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}},
            "M": {"Type": "AWS::SageMaker::Model", "Properties": properties},
        },
    }


@WALKS
@given(values)
def test_generated_yaml_notes_only_plain_containers_and_walks_alike(properties: Any) -> None:
    text = yaml.dump(_template(properties), Dumper=_Writer, sort_keys=False)
    try:
        template, lines = parse_yaml(text, "t.yaml")
    except SourceError:
        return  # e.g. a merge key naming no mapping
    assert isinstance(lines, TemplateLines)
    plain = plain_containers(lines)
    for container in containers(template):
        if id(container) in plain:
            assert is_plain(container)
    resolver, reference = TemplateResolver(template, None, plain), TemplateResolver(template)
    raw = template["Resources"]["M"].get("Properties")
    try:
        expected = reference.resolve(raw)
    except Exception as exc:  # the same error either way
        with pytest.raises(type(exc)):
            resolver.resolve(raw)
        return
    resolved = resolver.resolve(raw)
    assert resolved == expected
    unknown: list[str] = []
    expected_unknown: list[str] = []
    got = materialize(resolved, unknown, None, plain)
    assert json.dumps(got, default=repr) == json.dumps(materialize(expected, expected_unknown), default=repr)
    assert unknown == expected_unknown


def test_anchors_aliases_and_merges_are_not_noted() -> None:
    text = """
    Resources:
      M:
        Type: AWS::SageMaker::Model
        Properties:
          Base: &base {A: x, B: [1, 2]}
          Copy: *base
          Merged:
            <<: *base
            C: y
          Typed: {EnableNetworkIsolation: "true", Other: z}
          Null: {A: null}
          LongRef: {Ref: P}
          Fn: {Fn::Anything: [1]}
          Clean: {A: x, L: [a, {B: c}]}
    """
    template, lines = parse_yaml(text.replace("\n    ", "\n"), "t.yaml")
    plain = plain_containers(lines)
    properties = template["Resources"]["M"]["Properties"]
    assert id(properties["Base"]) in plain  # the anchored mapping itself is plain; its alias's parent not
    assert id(properties) not in plain
    for key in ("Merged", "Typed", "Null", "LongRef", "Fn"):
        assert id(properties[key]) not in plain, key
    assert id(properties["Clean"]) in plain
    assert id(properties["Clean"]["L"]) in plain
