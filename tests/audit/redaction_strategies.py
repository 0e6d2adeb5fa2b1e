"""Hypothesis strategies for values that redaction looks into: the map keys, tags and scalars that matter to
where a secret can be (secret-looking keys, container keys, pipeline definitions, tag pairs, the keys of a
resource document), shared by the tests that hold redaction's fast paths to a reference walk."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

KEYS = st.one_of(
    st.sampled_from(
        [
            "A",
            "Name",
            "Key",
            "key",
            "Value",
            "value",
            "Tags",
            "Environment",
            "ENV",
            "HyperParameters",
            "DbPassword",
            "SecretArn",
            "api-key",
            "PipelineDefinition",
            "PipelineDefinitionBody",
            "context",
            "resource",
            "related",
            "sensitive_paths",
        ]
    ),
    st.text(alphabet="aKkeyVvlu-_Ps", max_size=6),
)
TAG_KEYS = st.sampled_from(["team", "Token", "db-password", "owner", "SecretArn"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.just('{"Environment": {"X": "y"}, "A": [{"Key": "token", "Value": "v"}]}'),
    st.just("not json"),
)


def tags(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A tag pair, `{Key, Value}` or `{key, value}`, its key secret-looking or not."""
    return st.builds(
        lambda k, v, lower: {"key": k, "value": v} if lower else {"Key": k, "Value": v},
        TAG_KEYS,
        children,
        st.booleans(),
    )
