"""One planned resource's values (`after` + `after_unknown` + its configuration) -> canonical properties.

A value Terraform shows as "known after apply" becomes `Unknown` and, once materialised, the placeholder
`<unknown: ...>` with its dotted path in `context.unknown` — never a pass. The exception is a value the
provider computes by itself when the configuration does not set it (an Optional+Computed attribute, or a
block listed in `TerraformType.computed_blocks`): the resource then gets AWS's default, which is exactly
what an absent field means in an API request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guardrails.documents import unknown_value
from guardrails.sources.terraform_mapping import TerraformType, api_name, type_schema

NO_CONFIG = object()
"""The configuration of this part of the resource cannot be located: every unknown stays unknown."""


@dataclass(frozen=True)
class Unknown:
    """A value known only after apply; `specific` when it is certainly a resource id/ARN, never `*`."""

    reason: str
    specific: bool = False


def merge_unknown(
    value: Any,
    unknown: Any,
    config: Any,
    schema: dict[str, Any],
    spec: TerraformType,
    path: str,
    address: str,
) -> Any:
    """`after` with `Unknown` where `after_unknown` says so; drops nulls, empty strings and empty blocks."""
    if unknown is True:
        return Unknown(f"{address}.{path} is known only after apply", specific=_references_resource(config))
    if isinstance(value, dict) or isinstance(unknown, dict):
        return _merge_object(value, unknown, config, schema, spec, path, address)
    if isinstance(value, list) or isinstance(unknown, list):
        values = value if isinstance(value, list) else []
        unknowns = unknown if isinstance(unknown, list) else []
        configs = config if isinstance(config, list) else None
        items = []
        for i in range(max(len(values), len(unknowns))):
            item_config: Any = NO_CONFIG
            if configs is not None:
                item_config = configs[i] if i < len(configs) else (configs[-1] if configs else NO_CONFIG)
            elif config is not NO_CONFIG and isinstance(config, dict):
                item_config = config
            merged = merge_unknown(
                values[i] if i < len(values) else None,
                unknowns[i] if i < len(unknowns) else None,
                item_config,
                schema,
                spec,
                path,
                address,
            )
            if merged is not None:
                items.append(merged)
        return items
    if value is None or value == "":
        return None
    return value


def _merge_object(
    value: Any,
    unknown: Any,
    config: Any,
    schema: dict[str, Any],
    spec: TerraformType,
    path: str,
    address: str,
) -> dict[str, Any] | None:
    values = value if isinstance(value, dict) else {}
    unknowns = unknown if isinstance(unknown, dict) else {}
    out: dict[str, Any] = {}
    for key in dict.fromkeys([*values, *unknowns]):
        sub_path = f"{path}.{key}" if path else key
        attribute = schema.get("attributes", {}).get(key)
        block = schema.get("blocks", {}).get(key)
        key_config = _config_of(config, key)
        if unknowns.get(key) is True and key_config is None:
            computed = (
                attribute is not None and attribute.get("computed")
            ) or sub_path in spec.computed_blocks
            if computed:
                continue  # the provider fills it from AWS: AWS's default, as if absent from a request
        merged = merge_unknown(
            values.get(key),
            unknowns.get(key),
            NO_CONFIG if key_config is None and config is NO_CONFIG else key_config,
            block["block"] if block else {},
            spec,
            sub_path,
            address,
        )
        if merged is None or merged == [] or merged == {}:
            continue
        out[key] = merged
    return out or None


def _config_of(config: Any, key: str) -> Any:
    """The configuration expression of `key`, None when the configuration does not set it."""
    if config is NO_CONFIG:
        return NO_CONFIG
    if isinstance(config, dict):
        return config.get(key)
    return None


def _references_resource(config: Any) -> bool:
    """An expression that reads another managed resource's attribute (`aws_kms_key.k.arn`) is specific."""
    if not isinstance(config, dict):
        return False
    references = config.get("references")
    if not isinstance(references, list) or not references:
        return False
    return all(
        isinstance(r, str) and not r.startswith(("var.", "local.", "each.", "count.", "data.", "module."))
        for r in references
    )


def canonical_shape(value: Any, schema: dict[str, Any], spec: TerraformType, path: str = "") -> Any:
    """Snake_case keys -> API names; single-item blocks -> objects (list blocks stay lists)."""
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        sub_path = f"{path}.{key}" if path else key
        block = schema.get("blocks", {}).get(key)
        name = spec.renames.get(sub_path) or api_name(key)
        if block is not None:
            inner = block["block"]
            if isinstance(item, list):
                shaped = [canonical_shape(i, inner, spec, sub_path) for i in item]
                as_list = block["list"] or sub_path in spec.api_lists
                item = shaped if as_list else (shaped[0] if shaped else None)
            else:
                item = canonical_shape(item, inner, spec, sub_path)
        if item is None:
            continue
        out[name] = item
    return out


def materialize(value: Any, unknown: list[str], path: tuple[str | int, ...] = ()) -> Any:
    """Replace `Unknown` by its placeholder and record its dotted path."""
    if isinstance(value, Unknown):
        unknown.append(".".join(str(p) for p in path))
        return unknown_value(value.reason, specific=value.specific)
    if isinstance(value, dict):
        return {k: materialize(v, unknown, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [materialize(v, unknown, (*path, i)) for i, v in enumerate(value)]
    return value


def resource_values(
    spec: TerraformType, terraform_type: str, change: dict[str, Any], config: Any, address: str
) -> dict[str, Any]:
    """The planned values with `Unknown`s, still in Terraform names (for joins and names)."""
    merged = merge_unknown(
        change.get("after"),
        change.get("after_unknown"),
        config,
        type_schema(terraform_type),
        spec,
        "",
        address,
    )
    return merged if isinstance(merged, dict) else {}
