"""A batch's engine inputs: for each resource document its input (`to_input()`), the RFC 8785 text the
engine judges, that text's digest and, on demand, its secret values — each made once per document object.

A document that another one relates (an Endpoint's EndpointConfig, the config's Models) is usually judged
in the same batch itself, as the same object: its text is made once and spliced into the text of every
document that relates it, its secret values are added up instead of walked again (on the bench's
templates 44% of the input text is related documents). A document's own parts are checked in one walk
(`canonical.classify_all(plain=True)`: plain JSON data with an RFC 8785 form json.dumps writes; the map
keys' plane is told on the text written); anything else takes the general path, `to_input()` and
`canonical_text()`, with the same result. The containers that walk met are kept: a document's secret
values are then looked for in its maps' redacted places only (`redaction.secret_values(value, maps)`).
tests/engine/test_engine_inputs.py checks every field against the general path.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from guardrails.canonical import (
    COMPLEX,
    NEEDS_INTEGRAL_FLOATS,
    canonical_text,
    classify_all,
    integral_floats_as_ints,
    plain_dumps,
    plain_string,
)
from guardrails.decision import input_digest
from guardrails.documents import ResourceDocument
from guardrails.redaction import related_secret_values, secret_values

_BMP_MAX = "\uffff"


@dataclass(frozen=True, slots=True)
class EngineInput:
    data: dict[str, Any]
    """`document.to_input()` (it may share containers with the document: read it, never change it)."""
    text: str | None
    """Its RFC 8785 text, which the engine judges; None when the standard library cannot write it (then
    the digest is rfc8785's and the engine reads `json.dumps(data)`)."""
    digest: str
    """`input_digest(document)`."""


class EngineInputs:
    """The inputs of one batch of documents. It keeps every document it has seen (so that an object's id
    names it for the batch's life): make one per batch, not one per process."""

    def __init__(self) -> None:
        self._inputs: dict[int, tuple[ResourceDocument, EngineInput]] = {}
        self._secrets: dict[int, set[str]] = {}
        self._maps: dict[int, list[Any]] = {}
        """Per document made from its parts, every container of its resource and context (what
        `classify_all` walked): `secret_values` mostly need not walk them again."""

    def of(self, document: ResourceDocument) -> EngineInput:
        found = self._inputs.get(id(document))
        if found is not None:
            return found[1]
        made = self._make(document)
        self._inputs[id(document)] = (document, made)
        return made

    def engine_text(self, document: ResourceDocument) -> str:
        """The JSON text the engine reads: the RFC 8785 text, or `json.dumps` of the input without one."""
        made = self.of(document)
        return made.text if made.text is not None else json.dumps(made.data)

    def secret_values(self, document: ResourceDocument) -> set[str]:
        """`redaction.secret_values(document.to_input())` (do not change the set: it is shared)."""
        found = self._secrets.get(id(document))
        if found is not None:
            return found
        data = self.of(document).data
        related = document.related if self._composable(document) else None
        made: set[str]
        if related is None:
            made = secret_values(data)
        else:
            own = {"resource": data["resource"], "related": {}, "context": data["context"]}
            made = secret_values(own, self._maps.get(id(document)))
            for key, other in related.items():
                made |= related_secret_values(key, self.of(other).data, self.secret_values(other))
        self._secrets[id(document)] = made
        return made

    @staticmethod
    def _composable(document: ResourceDocument) -> bool:
        """A document whose `related` map is str keys to ResourceDocuments: built from its parts."""
        related = document.related
        if type(document) is not ResourceDocument or type(related) is not dict:
            return False
        return not related or all(
            type(key) is str and type(other) is ResourceDocument for key, other in related.items()
        )

    def _make(self, document: ResourceDocument) -> EngineInput:
        if not self._composable(document):
            return _general(document.to_input())
        resource, context = document.input_parts(None)
        containers = [resource, context]
        kind = classify_all(containers, plain=True, bmp_keys=False)  # the keys' plane: see below
        if kind == COMPLEX:  # not plain JSON as it is (converted by to_input), or no json.dumps form
            resource, context = document.input_parts()
        else:  # the input holds resource and context as walked
            self._maps[id(document)] = containers
        related_documents = document.related
        related_data: dict[str, Any] = {}
        spliceable = True
        related_text = ""
        if related_documents:  # most documents relate none
            for key, other in related_documents.items():
                made = self.of(other)
                related_data[key] = made.data
                if made.text is None or not (key.isascii() or max(key) <= _BMP_MAX):
                    spliceable = False
            if spliceable:
                related_text = ",".join(
                    f"{plain_string(key)}:{self.of(related_documents[key]).text}"
                    for key in sorted(related_documents)
                )
        data = {"resource": resource, "related": related_data, "context": context}
        if kind == COMPLEX or not spliceable:
            return _general(data)
        if kind == NEEDS_INTEGRAL_FLOATS:
            resource, context = integral_floats_as_ints(resource), integral_floats_as_ints(context)
        # The keys of a document's input in sorted order: context, related, resource.
        text = (
            f'{{"context":{plain_dumps(context)},"related":{{{related_text}}},'
            f'"resource":{plain_dumps(resource)}}}'
        )
        try:
            encoded = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: rfc8785 decides (and refuses)
            return _general(data)
        if not text.isascii() and _outside_bmp(encoded) and classify_all([resource, context]) == COMPLEX:
            return _general(data)  # a key outside the BMP: json.dumps sorts it otherwise
        return EngineInput(data, text, "sha256:" + hashlib.sha256(encoded).hexdigest())


def _outside_bmp(encoded: bytes) -> bool:
    """Whether UTF-8 `encoded` holds a character outside the Basic Multilingual Plane: a byte that starts
    one (F0-F4, what starts nothing else), told by a memchr each."""
    return any(lead in encoded for lead in _ASTRAL_LEADS)


_ASTRAL_LEADS = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")


def _general(data: dict[str, Any]) -> EngineInput:
    text = canonical_text(data)
    if text is None:
        return EngineInput(data, None, input_digest(data))
    return EngineInput(data, text, "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest())
