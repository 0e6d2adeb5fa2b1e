"""The SageMaker request shapes the CloudTrail adapter re-cases events along, shipped as package data.

CloudTrail records a SageMaker request in lowerCamelCase; documents hold it in the API's PascalCase. The
names, casing and nesting come from botocore's SageMaker service model, but loading that model (a large
JSON) costs a cold Lambda more than the rest of the event's processing. So the input shapes of the in-scope
operations (every SageMaker operation in `resource_kinds.KINDS`) are extracted once, at build time, into
`sagemaker_request_shapes.json`:

    python -m guardrails.sources.request_shapes          # rewrite the table from the installed botocore

`tests/sources/test_request_shapes.py` regenerates it and compares, so it cannot go stale silently. The
table also makes the adapter independent of the botocore version the Lambda runtime happens to carry.

Policy for what the table lacks: an operation that is not in it raises `ShapeTableError`, an `EngineError`
(the event is not acknowledged, so the platform retries it and it ends in the dead-letter queue: fail
closed); a field the table does not know is kept with its first letter upper-cased, as before, and judged
by the policies.

Table format: `operations` maps an operation to its input shape's name; `shapes` maps a shape name to
`{"structure": {member: shape}}`, `{"list": shape}`, `{"map": shape}` (the value's shape) or, for a
scalar, its type name (`"string"`, `"boolean"`...).
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from guardrails.errors import EngineError

TABLE_FILE = Path(__file__).with_name("sagemaker_request_shapes.json")
SERVICE = "sagemaker"


class ShapeTableError(EngineError):
    """The shipped shape table cannot answer (an operation missing, a broken file): the package is stale.

    Packaged data that cannot be loaded, like a policy bundle (`BundleError`), hence an `EngineError`. Not
    a malformed event (an `InputError`, which a Lambda acknowledges): the event is fine and a fixed
    package decides it, so it is raised, retried and finally dead-lettered; the CLI exits 2."""


@cache
def _table() -> dict[str, Any]:
    try:
        table = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ShapeTableError(f"{TABLE_FILE}: cannot read the SageMaker request shape table: {exc}") from exc
    if not isinstance(table, dict) or not isinstance(table.get("operations"), dict):
        raise ShapeTableError(f"{TABLE_FILE}: not a request shape table (no `operations`)")
    return table


def input_shape(operation: str) -> str:
    """The name of `operation`'s input shape; raises ShapeTableError when the table lacks it."""
    name = _table()["operations"].get(operation)
    if name is None:
        raise ShapeTableError(
            f"SageMaker operation {operation!r} is not in {TABLE_FILE.name}: regenerate it with "
            "`python -m guardrails.sources.request_shapes` (it is in scope but the table predates it)"
        )
    return str(name)


def shape_type(name: str | None) -> str | None:
    """`structure`, `list`, `map`, a scalar type, or None for no shape (a field the table does not know)."""
    if name is None:
        return None
    shape = _shape(name)
    return shape if isinstance(shape, str) else next(iter(shape))


def member_shape(name: str) -> str:
    """The element shape of a list, or the value shape of a map."""
    shape = _shape(name)
    if not isinstance(shape, dict) or ("list" not in shape and "map" not in shape):
        raise ShapeTableError(f"{TABLE_FILE.name}: shape {name!r} is not a list or map")
    return str(shape.get("list") or shape.get("map"))


def structure_members(name: str) -> dict[str, str]:
    """A structure's members in the API's order: member name -> shape name."""
    shape = _shape(name)
    if not isinstance(shape, dict) or "structure" not in shape:
        raise ShapeTableError(f"{TABLE_FILE.name}: shape {name!r} is not a structure")
    return shape["structure"]  # type: ignore[no-any-return]


@cache
def members_by_lower(name: str) -> dict[str, tuple[str, str]]:
    """A structure's members by lower-cased name -> (API name, shape name): how CloudTrail keys match."""
    return {member.lower(): (member, shape) for member, shape in structure_members(name).items()}


@cache
def operation_members(operation: str) -> frozenset[str]:
    """The top-level fields of `operation`'s request."""
    return frozenset(structure_members(input_shape(operation)))


def _shape(name: str) -> Any:
    shape = _table()["shapes"].get(name)
    if shape is None:
        raise ShapeTableError(f"{TABLE_FILE.name}: shape {name!r} is referenced but missing; regenerate it")
    return shape


# --- generation (build time, from the installed botocore) ----------------------------------------------


def in_scope_operations() -> list[str]:
    """Every SageMaker operation the kinds table watches or reads requests of."""
    from guardrails.resource_kinds import KINDS

    return sorted({op for kind in KINDS if kind.service == SERVICE for op in kind.operations})


def generate(operations: list[str] | None = None) -> dict[str, Any]:
    """The table for `operations` (default: in scope), from the installed botocore's service model."""
    import botocore
    import botocore.session

    model = botocore.session.get_session().get_service_model(SERVICE)
    shapes: dict[str, Any] = {}

    def walk(shape: Any) -> None:
        if shape.name in shapes:
            return
        if shape.type_name == "structure":
            shapes[shape.name] = {"structure": {n: m.name for n, m in shape.members.items()}}
            children = list(shape.members.values())
        elif shape.type_name == "list":
            shapes[shape.name] = {"list": shape.member.name}
            children = [shape.member]
        elif shape.type_name == "map":
            shapes[shape.name] = {"map": shape.value.name}
            children = [shape.value]
        else:
            shapes[shape.name] = shape.type_name
            children = []
        for child in children:
            walk(child)

    table_ops: dict[str, str] = {}
    for operation in operations if operations is not None else in_scope_operations():
        shape = model.operation_model(operation).input_shape
        if shape is None:  # every in-scope operation takes a request
            raise ShapeTableError(f"botocore's {SERVICE} model has no input shape for {operation}")
        table_ops[operation] = shape.name
        walk(shape)
    return {
        "generated_from": {
            "service": SERVICE,
            "api_version": model.api_version,
            "botocore": botocore.__version__,
            "command": "python -m guardrails.sources.request_shapes",
        },
        "operations": table_ops,
        "shapes": dict(sorted(shapes.items())),
    }


def render(table: dict[str, Any]) -> str:
    """The table as written to disk: one shape per line, so a regeneration diffs readably."""
    lines = ["{"]
    lines.append(f'"generated_from": {json.dumps(table["generated_from"], sort_keys=True)},')
    lines.append(f'"operations": {json.dumps(table["operations"], sort_keys=True, indent=0)},')
    lines.append('"shapes": {')
    items = list(table["shapes"].items())
    for index, (name, shape) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        lines.append(f"{json.dumps(name)}: {json.dumps(shape)}{comma}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else TABLE_FILE
    table = generate()
    target.write_text(render(table), encoding="utf-8")
    print(
        f"wrote {target}: {len(table['operations'])} operations, {len(table['shapes'])} shapes "
        f"(botocore {table['generated_from']['botocore']})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
