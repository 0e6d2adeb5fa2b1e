"""`parse_yaml` held to a model: generated YAML templates (block and flow mappings and sequences, scalars of
every kind, plain, quoted and tagged, short-form intrinsics, anchors, aliases, merge keys, duplicate keys,
oversized numbers) are written from a tree whose expected reading is computed from the tree itself, not by
parsing: the data, the lines of the logical ids under `Resources`, the plain containers (as the set of
paths at which they sit) and, under small patched alias limits, whether the aliases expand too far.

The builder keeps the state of the open container in locals and handles the common key and value in place,
with a general path for the rest (`yaml_reader._YamlBuilder.build`); this model checks both paths."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.sources.cloudformation import yaml_reader
from guardrails.sources.cloudformation.property_values import TYPED_PROPERTIES
from guardrails.sources.cloudformation.yaml_reader import TemplateLines, parse_yaml
from guardrails.sources.errors import SourceError

MODEL = settings(
    max_examples=int(os.environ.get("GUARDRAILS_FUZZ_EXAMPLES", "300")),
    deadline=None,
    database=None,
    derandomize=not os.environ.get("GUARDRAILS_FUZZ_EXAMPLES"),
)

NUMBER_ERROR = object()
"""The expected reading of a scalar too long to be read as an integer."""
HUGE = "1" * 4400  # beyond Python's default limit of 4,300 digits
LONG = "1" * 700  # longer than the fast key path takes, still an integer

PLAIN: dict[str, Any] = {  # plain scalar text -> its reading (YAML 1.2 core, CloudFormation's way)
    "x": "x",
    "a b": "a b",
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "FALSE": False,
    "yes": "yes",
    "off": "off",
    "null": None,
    "Null": None,
    "NULL": None,
    "~": None,
    "3": 3,
    "-4": -4,
    "+5": 5,
    "0": 0,
    "007": "007",
    "0x1F": "0x1F",
    "0o7": "0o7",
    "1_000": "1_000",
    "3.5": 3.5,
    ".5": 0.5,
    "1.": 1.0,
    "1e3": 1000.0,
    "-2.5E-1": -0.25,
    ".inf": ".inf",
    "+": "+",
    "2010-09-09": "2010-09-09",
    "12:30": "12:30",
    "<<": "<<",
    "Ref": "Ref",
    "Fn::If": "Fn::If",
    "Fn::Transform": "Fn::Transform",
    "Condition": "Condition",
    "EnableNetworkIsolation": "EnableNetworkIsolation",
    "Resources": "Resources",
    "1.50": 1.5,
    LONG: int(LONG),
    HUGE: NUMBER_ERROR,
}
QUOTED = ["", "x", "null", "3", "<<", "Ref", "it's", "Fn::Sub", "true"]
TAGGED: dict[tuple[str, str], Any] = {  # (tag, text) -> reading; short forms become long forms
    ("!Ref", "P"): {"Ref": "P"},
    ("!Ref", "AWS::Region"): {"Ref": "AWS::Region"},
    ("!GetAtt", "B.Arn"): {"Fn::GetAtt": ["B", "Arn"]},
    ("!GetAtt", "B"): {"Fn::GetAtt": ["B"]},
    ("!Sub", "P-x"): {"Fn::Sub": "P-x"},
    ("!Condition", "C"): {"Condition": "C"},
    ("!Custom", "v"): {"Fn::Custom": "v"},
    ("!!str", "3"): "3",
    ("!!str", "null"): "null",
    ("!!int", "1_000"): 1000,
    ("!!int", "x"): "x",
    ("!!int", HUGE): NUMBER_ERROR,
    ("!!float", "2"): 2.0,
    ("!!float", "x"): "x",
    ("!!bool", "True"): True,
    ("!!bool", "false"): False,
    ("!!bool", "yes"): "yes",
    ("!!null", "x"): None,
    ("!", "3"): "3",
    ("!!binary", "aGk="): "aGk=",
}
CONTAINER_TAGS = ["!If", "!Sub", "!GetAtt", "!Equals", "!", "!!map", "!!seq"]
KEY_TEXTS = ["x", "y", "z", "Tags", "Properties", "Resources", "Name", "Key", "Value", "Ref", "Fn::If"]
KEY_TEXTS += ["Fn::Sub", "Fn::Transform", "Condition", "<<"]
KEY_TEXTS += ["EnableNetworkIsolation", "InstanceCount", "null", "~", "3", "true", "1.50", LONG]
# (no HUGE key: a simple key is at most 1,024 characters; `test_rare_documents_are_refused` has one)
NOTABLE = TYPED_PROPERTIES | {"Ref", "Fn::Transform", "<<"}
LOGICAL_IDS = ["B", "M", "Q", "3", "<<"]


# ------------------------------------------------------------------------------- the model


@dataclass(eq=False)
class Scalar:
    text: str
    quoted: bool = False
    tag: str | None = None
    anchored: bool = False
    name: str = ""


@dataclass(eq=False)
class Alias:
    pick: int
    target: Any = None  # the anchored node it names, chosen when the document is laid out


@dataclass(eq=False)
class Container:
    is_map: bool
    items: list[Any]  # nodes, or (key, value) pairs of a mapping
    tag: str | None = None
    anchored: bool = False
    flow: bool = False
    name: str = ""


@dataclass(eq=False)
class Document:
    top: list[tuple[Any, Any]]  # root pairs before `Resources`
    resources: list[tuple[str, Any]]
    lines: dict[str, int] = field(default_factory=dict)


def resolve_aliases(document: Document) -> None:
    """Names the anchors in document order and points every alias at an anchor complete before it (an alias
    with none to name becomes a plain scalar)."""
    complete: list[Any] = []

    def visit(node: Any) -> Any:
        if isinstance(node, Alias):
            if not complete:
                return Scalar("x")
            node.target = complete[node.pick % len(complete)]
            return node
        if isinstance(node, Container):
            if node.is_map:
                node.items = [(visit(k), visit(v)) for k, v in node.items]
            else:
                node.items = [visit(item) for item in node.items]
        if node.anchored:
            node.name = f"a{len(complete)}"
            complete.append(node)
        return node

    document.top = [(visit(k), visit(v)) for k, v in document.top]
    document.resources = [(k, visit(v)) for k, v in document.resources]


# ------------------------------------------------------------------------------- writing it as YAML


def has_empty(node: Any) -> bool:
    """An empty plain scalar (null) somewhere in `node`: only block style can write it."""
    if isinstance(node, Scalar):
        return node.text == "" and not node.quoted and node.tag is None
    if isinstance(node, Container):
        nodes = [n for pair in node.items for n in pair] if node.is_map else node.items
        return any(has_empty(n) for n in nodes)
    return False


def properties(node: Any) -> str:
    parts = [node.tag] if node.tag else []
    if node.anchored:
        parts.append(f"&{node.name}")
    return " ".join(parts)


def scalar_text(node: Scalar) -> str:
    content = "'" + node.text.replace("'", "''") + "'" if node.quoted else node.text
    return " ".join(p for p in (properties(node), content) if p)


def flow_text(node: Any) -> str:
    if isinstance(node, Alias):
        return f"*{node.target.name} "
    if isinstance(node, Scalar):
        return scalar_text(node)
    if node.is_map:
        body = "{" + ", ".join(f"{flow_text(k)}: {flow_text(v)}" for k, v in node.items) + "}"
    else:
        body = "[" + ", ".join(flow_text(item) for item in node.items) + "]"
    return " ".join(p for p in (properties(node), body) if p)


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def inline(self, node: Any) -> str | None:
        """The node's text on its parent's line, or None for a block container (its lines follow)."""
        if isinstance(node, Container) and node.items and not (node.flow and not has_empty(node)):
            return None
        return flow_text(node)

    def block(self, node: Container, indent: int) -> None:
        pad = " " * indent
        for entry in node.items:
            key, value = entry if node.is_map else (None, entry)
            head = f"{pad}{flow_text(key)}:" if node.is_map else f"{pad}-"
            text = self.inline(value)
            if text is None:
                props = properties(value)
                self.lines.append(f"{head} {props}" if props else head)
                self.block(value, indent + 2)
            else:
                self.lines.append(f"{head} {text}" if text else head)

    def document(self, document: Document) -> str:
        self.block(Container(True, document.top), 0)
        self.lines.append("Resources:")
        for logical_id, value in document.resources:
            document.lines.setdefault(logical_id, len(self.lines) + 1)
            self.block(Container(True, [(Scalar(logical_id), value)]), 2)
        return "\n".join(self.lines) + "\n"


# ------------------------------------------------------------------------------- the expected reading


class ModelError(Exception):
    pass


@dataclass
class Reading:
    value: Any
    dirty: bool  # makes the containers around it not plain
    size: int  # nodes, as an alias of it expands
    chars: int  # scalar characters, as an alias of it expands


class Expected:
    def __init__(self, max_nodes: int, max_chars: int) -> None:
        self.max_nodes, self.max_chars = max_nodes, max_chars
        self.anchors: dict[int, Reading] = {}
        self.plain: dict[int, Any] = {}
        self.nodes = self.chars = 0

    def read(self, node: Any) -> Reading:
        if isinstance(node, Alias):
            found = self.anchors[id(node.target)]
            self.nodes += found.size
            self.chars += found.chars
            if self.nodes > self.max_nodes or self.chars > self.max_chars:
                raise ModelError("expand to more")
            return Reading(found.value, True, found.size, found.chars)
        reading = self.scalar(node) if isinstance(node, Scalar) else self.container(node)
        if node.anchored:
            self.anchors[id(node)] = reading
        return reading

    def scalar(self, node: Scalar) -> Reading:
        if node.tag is not None:
            value = TAGGED[(node.tag, node.text)]
        elif node.quoted:
            value = node.text
        else:
            value = None if node.text == "" else PLAIN.get(node.text, node.text)
        if value is NUMBER_ERROR:
            raise ModelError("too large")
        if isinstance(value, dict):  # a new mapping at every occurrence
            value = {k: list(v) if isinstance(v, list) else v for k, v in value.items()}
        dirty = node.tag is not None or (not node.quoted and value is None)
        return Reading(value, dirty, 1, len(node.text))

    def key(self, node: Any) -> tuple[Any, Reading]:
        reading = self.read(node)
        if isinstance(node, Scalar) and node.tag is None:
            if node.text in NOTABLE:
                reading.dirty = True
                if node.text == "<<" and not node.quoted:
                    return MERGE, reading
            return node.text, reading
        value = reading.value
        if isinstance(value, bool):
            return ("true" if value else "false"), reading
        if isinstance(value, (int, float)) and value is not None:
            return str(value), reading
        if isinstance(value, str):
            return value, reading
        raise ModelError("keys must be")

    def container(self, node: Container) -> Reading:
        dirty = node.tag is not None
        size, chars = 1, 0
        if node.is_map:
            value: Any = {}
            merges: list[dict[str, Any]] = []
            for key_node, value_node in node.items:
                key, key_reading = self.key(key_node)
                if key is not MERGE and key in value:
                    raise ModelError("duplicate key")
                item = self.read(value_node)
                if key is MERGE:
                    sources = item.value if isinstance(item.value, list) else [item.value]
                    if not all(isinstance(s, dict) for s in sources):
                        raise ModelError("merge key")
                    merges.extend(sources)
                else:
                    value[key] = item.value
                dirty = dirty or key_reading.dirty or item.dirty
                size += key_reading.size + item.size
                chars += key_reading.chars + item.chars
            if merges:
                merged: dict[str, Any] = {}
                for source in reversed(merges):
                    merged.update(source)
                merged.update(value)
                value = merged
            if len(value) == 1 and next(iter(value)).startswith("Fn::"):
                dirty = True
        else:
            value = []
            for item_node in node.items:
                item = self.read(item_node)
                value.append(item.value)
                dirty = dirty or item.dirty
                size += item.size
                chars += item.chars
        if not dirty:
            self.plain[id(value)] = value
        tag = node.tag
        if tag and tag.startswith("!") and not tag.startswith("!!") and tag != "!":
            value = {"Ref": value} if tag == "!Ref" else {f"Fn::{tag[1:]}": value}
        return Reading(value, dirty, size, chars)

    def document(self, document: Document) -> dict[str, Any]:
        top = Container(True, [*document.top, (Scalar("Resources"), Container(True, []))])
        resources = top.items[-1][1]
        resources.items = [(Scalar(k), v) for k, v in document.resources]
        return self.read(top).value


MERGE = object()


def plain_paths(data: Any, plain: dict[int, Any]) -> set[tuple[Any, ...]]:
    """The paths at which the containers in `plain` sit (an aliased one at each of its places)."""
    found = set()
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, (dict, list)) and id(value) in plain:
            found.add(path)
        if isinstance(value, dict):
            stack.extend((item, (*path, key)) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
    return found


def typed(value: Any) -> Any:
    """`value` with every scalar's type beside it: `1 == 1.0 == True` must not hide a difference."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


# ------------------------------------------------------------------------------- generated documents

PLAIN_TEXTS = sorted(PLAIN)
plain_scalars = st.integers(0, len(PLAIN_TEXTS) - 1).map(lambda i: Scalar(PLAIN_TEXTS[i]))  # (short reprs)
quoted_scalars = st.sampled_from(QUOTED).map(lambda t: Scalar(t, quoted=True))
TAGGED_PAIRS = sorted(TAGGED)
tagged_scalars = st.integers(0, len(TAGGED_PAIRS) - 1).map(
    lambda i: Scalar(TAGGED_PAIRS[i][1], tag=TAGGED_PAIRS[i][0])
)
empty_scalars = st.builds(Scalar, st.just(""))


def anchor_maybe(node: Any, anchored: bool) -> Any:
    node.anchored = anchored
    return node


common_scalars = st.one_of(*[plain_scalars] * 6, quoted_scalars, tagged_scalars, empty_scalars)
anchored_scalars = st.builds(anchor_maybe, common_scalars, st.just(True))
leaves = st.one_of(
    *[common_scalars] * 8, anchored_scalars, anchored_scalars, st.builds(Alias, st.integers(0, 20))
)
rare_keys = st.one_of(
    st.sampled_from(QUOTED[1:]).map(lambda t: Scalar(t, quoted=True)),
    tagged_scalars.filter(lambda s: 0 < len(s.text) < 1000),  # a simple key has at most 1,024
    st.builds(Alias, st.integers(0, 20)),
)
key_scalars = st.integers(0, 9).flatmap(  # mostly plain keys: a tagged or aliased one often fails
    lambda n: rare_keys if n == 0 else st.integers(0, len(KEY_TEXTS) - 1).map(lambda i: Scalar(KEY_TEXTS[i]))
)


def key_text(pair: tuple[Any, Any]) -> Any:
    return pair[0].text if isinstance(pair[0], Scalar) else id(pair[0])


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    properties = st.one_of(st.none(), st.none(), st.none(), st.sampled_from(CONTAINER_TAGS))
    anchored = st.sampled_from([False, False, False, True])
    return st.one_of(
        st.builds(
            Container, st.just(False), st.lists(children, max_size=4), properties, anchored, st.booleans()
        ),
        *[
            st.builds(
                Container,
                st.just(True),
                st.lists(st.tuples(key_scalars, children), max_size=4, unique_by=unique_by),
                properties,
                anchored,
                st.booleans(),
            )
            for unique_by in (key_text, key_text, key_text, id)  # now and then a duplicate key
        ],
    )


values = st.recursive(leaves, containers, max_leaves=24)
documents = st.builds(
    Document,
    st.lists(
        st.tuples(st.sampled_from(["Parameters", "Conditions", "Base", "x"]).map(Scalar), values),
        max_size=3,
        unique_by=key_text,
    ),
    st.lists(
        st.tuples(st.sampled_from(LOGICAL_IDS), values), min_size=1, max_size=4, unique_by=lambda p: p[0]
    ),
)


def outcome(text: str) -> tuple[Any, ...]:
    try:
        data, lines = parse_yaml(text, "t.yaml")
    except SourceError as exc:
        return ("error", next(kind for kind in ERROR_KINDS if kind in str(exc)))
    assert isinstance(lines, TemplateLines)
    return ("ok", typed(data), dict(lines), plain_paths(data, lines.plain))


ERROR_KINDS = ["duplicate key", "merge key", "too large", "keys must be", "expand to more"]


def expect(document: Document, max_nodes: int, max_chars: int) -> tuple[tuple[Any, ...], Expected]:
    expected = Expected(max_nodes, max_chars)
    try:
        data = expected.document(document)
    except ModelError as exc:
        return ("error", str(exc)), expected
    lines = {k: v for k, v in document.lines.items() if k != "<<"}
    return ("ok", typed(data), lines, plain_paths(data, expected.plain)), expected


def outcome_within(text: str, max_nodes: int, max_chars: int) -> tuple[Any, ...]:
    with (
        mock.patch.object(yaml_reader, "MAX_ALIAS_EXPANSION", max_nodes),
        mock.patch.object(yaml_reader, "MAX_ALIAS_BYTES", max_chars),
    ):
        return outcome(text)


UNBOUNDED = 10**9


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # the recursive strategy's
@MODEL
@given(documents, st.integers(3, 80), st.integers(5, 300))
def test_generated_yaml_reads_as_its_model(document: Document, max_nodes: int, max_chars: int) -> None:
    """The reading under small alias limits; then, for a document read without limits, its aliases'
    exact total of nodes and characters: within it the reading is the same, one less is refused."""
    resolve_aliases(document)
    text = Writer().document(document)
    assert outcome_within(text, max_nodes, max_chars) == expect(document, max_nodes, max_chars)[0], text
    want, expected = expect(document, UNBOUNDED, UNBOUNDED)
    if want[0] != "ok":
        return
    nodes, chars = expected.nodes, expected.chars
    assert outcome_within(text, nodes, chars) == want, text
    refused = ("error", "expand to more")
    if nodes:
        assert outcome_within(text, nodes - 1, UNBOUNDED) == refused, text
    if chars:
        assert outcome_within(text, UNBOUNDED, chars - 1) == refused, text


# ------------------------------------------------------------------------------- paths the model leaves out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("? [a]\n: b\n", "mapping keys must be plain strings"),
        ("? {a: b}\n: c\n", "mapping keys must be plain strings"),
        ("a: &x [1, *x]\n", "names no complete anchor"),
        ("a: *nowhere\n", "names no complete anchor"),
        ("a: 1\n---\nb: 2\n", "more than one YAML document"),
        ("<<: [{a: 1}, 2]\n", "merge key"),
        (f"? {HUGE}\n: x\n", "number too large"),
    ],
)
def test_rare_documents_are_refused(text: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse_yaml(text, "t.yaml")


def test_a_scalar_or_empty_document() -> None:
    assert parse_yaml("3\n", "t.yaml")[0] == 3
    assert parse_yaml("", "t.yaml")[0] is None
    assert parse_yaml("# nothing\n", "t.yaml")[0] is None
    data, lines = parse_yaml("[a, {b: c}]\n", "t.yaml")
    assert data == ["a", {"b": "c"}]
    assert len(lines.plain) == 2 and dict(lines) == {}


def test_an_anchored_key_and_a_merge_under_resources() -> None:
    text = "Resources:\n  &k A: {Type: T}\n  <<: {M: {Type: U}}\n  B: {Type: *k}\n"
    data, lines = parse_yaml(text, "t.yaml")
    assert data == {"Resources": {"M": {"Type": "U"}, "A": {"Type": "T"}, "B": {"Type": "A"}}}
    assert dict(lines) == {"A": 2, "B": 4}
