"""`Fn::Sub` resolution: the text split into literal parts and variables (intrinsics.fn_sub) gives what a
scan of the `${...}` matches one by one gives, for any mix of literal text, `${!literal}` escapes and known
and unknown variables."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.sources.cloudformation.intrinsics import TemplateResolver, _string_or_unknown
from guardrails.sources.cloudformation.resolved_values import Unknown, cfn_string, wrap_unknown

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
TEMPLATE = {
    "Parameters": {
        "Known": {"Type": "String", "Default": "value"},
        "Empty": {"Type": "String", "Default": ""},
    },
    "Resources": {"Thing": {"Type": "AWS::SageMaker::Model", "Properties": {}}},
}


def reference_sub(resolver: TemplateResolver, text: str, variables: dict[str, object]) -> object:
    """The match-by-match scan fn_sub replaced (kept here as the reference)."""
    matches = list(_VARIABLE.finditer(text))
    if len(matches) == 1 and matches[0].span() == (0, len(text)) and not matches[0].group(1).startswith("!"):
        value = resolver._sub_variable(matches[0].group(1).strip(), variables)
        return value if isinstance(value, Unknown) else _string_or_unknown("Fn::Sub", value)
    parts: list[str] = []
    position = 0
    for match in matches:
        parts.append(text[position : match.start()])
        position = match.end()
        name = match.group(1)
        if name.startswith("!"):
            parts.append("${" + name[1:] + "}")
            continue
        piece = cfn_string(resolver._sub_variable(name.strip(), variables))
        if isinstance(piece, Unknown):
            return wrap_unknown("Fn::Sub", piece, specific=bool(_VARIABLE.sub("", text)))
        parts.append(piece)
    parts.append(text[position:])
    return "".join(parts)


literal = st.text(alphabet="ab-/:$}{ ", max_size=6)
variable = st.sampled_from(
    [
        "${Known}",
        "${ Known }",
        "${Empty}",
        "${AWS::AccountId}",
        "${AWS::Partition}",
        "${Thing}",
        "${Thing.Arn}",
        "${!Known}",
        "${!}",
        "${Local}",
        "${}",
        "${Missing.Attr}",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(literal, variable), max_size=6), st.booleans())
def test_fn_sub_equals_the_match_by_match_scan(pieces: list[str], with_variables: bool) -> None:
    text = "".join(pieces)
    variables: dict[str, object] = {"Local": "local"} if with_variables else {}
    resolver = TemplateResolver(TEMPLATE)
    argument: object = [text, variables] if with_variables else text
    try:
        expected = reference_sub(resolver, text, variables)
    except Exception as exc:  # noqa: BLE001 - the same error, whatever it is
        expected = (type(exc), str(exc))
    try:
        got = resolver.fn_sub(argument)
    except Exception as exc:  # noqa: BLE001
        got = (type(exc), str(exc))
    assert got == expected
