"""EngineInputs checks a document's map keys for characters outside the Basic Multilingual Plane on the
text it writes (none there, none in a key; ASCII text costs nothing), not key by key: a key outside the
BMP (json.dumps and RFC 8785 sort it differently) must still take the general path, a value outside it
not, and both give the reference text and digest."""

from __future__ import annotations

import pytest
import rfc8785

from guardrails.canonical import canonical_text
from guardrails.decision import input_digest
from guardrails.documents import Resource, ResourceDocument
from guardrails.engine_inputs import EngineInputs, _outside_bmp


@pytest.mark.parametrize(
    "properties",
    [
        {"\U0001f600": 1, "\ue000": 2, "a": 3},  # sorted by UTF-16 code units in RFC 8785
        {"A": {"\U0001f600x": [1.0]}, "B": "é"},
        {"A": "\U0001f600", "\ue000": "\U0010ffff"},  # outside the BMP in values only
        {"A": "é", "B": {"ü": "\uffff"}},
    ],
)
def test_keys_outside_the_bmp(properties: dict[str, object]) -> None:
    related = ResourceDocument(resource=Resource(type="T", name="r", properties={"a": "\U0001f600", "b": 1}))
    document = ResourceDocument(
        resource=Resource(type="T", name="n", properties=properties), related={"T/r": related}
    )
    inputs = EngineInputs()
    for each in (document, related):
        made = inputs.of(each)
        data = each.to_input()
        assert made.text == canonical_text(data)  # None with a key outside the BMP
        if made.text is not None:
            assert made.text.encode("utf-8") == rfc8785.dumps(data)
        assert made.digest == input_digest(data)
    assert inputs.of(related).text is not None
    assert (inputs.of(document).text is None) == any(max(key) > "\uffff" for key in _keys(properties))


def _keys(value: object) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(k for item in value.values() for k in _keys(item))]
    if isinstance(value, list):
        return [k for item in value for k in _keys(item)]
    return []


def test_outside_bmp() -> None:
    assert not _outside_bmp("é\uffff\ue000 ascii".encode())
    assert _outside_bmp("a\U00010000".encode())
    assert _outside_bmp("\U0010ffff".encode())
