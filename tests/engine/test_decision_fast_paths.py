"""The fast paths of deciding agree with the general ones they stand for."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.engine.base import Finding, _plain_finding, parse_findings
from guardrails.validation import validate

_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2), st.text(max_size=4), st.sampled_from(["true", "SM-01", "1"])
)
_FINDINGS = st.dictionaries(
    st.sampled_from(["control", "message", "path", "unknown", "default_enforcement", "via", "extra"]),
    _VALUES,
)


@settings(max_examples=400, deadline=None)
@given(_FINDINGS)
def test_a_plain_finding_is_what_validation_gives(item: dict[str, Any]) -> None:
    plain = _plain_finding(item)
    if plain is None:
        return
    assert plain == validate(Finding, item)
    assert parse_findings([item]) == [plain]
