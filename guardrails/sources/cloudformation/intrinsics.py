"""Pure-Python resolution of a template's parameters, conditions and intrinsic functions (no AWS calls).

Values that cannot be known before deploy resolve to `Unknown` (a reason, plus the in-template resource
a `Ref`/`GetAtt` names); `AWS::NoValue` resolves to `NO_VALUE` and is dropped from its mapping or list.
`Fn::If` on an unknown condition keeps what both branches agree on (see `join_branches`).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from guardrails.resource_kinds import cfn_name_property as name_property
from guardrails.sources.cloudformation.language_extensions import UNKNOWN_MARKER
from guardrails.sources.cloudformation.resolved_values import (
    NO_VALUE,
    IntrinsicError,
    Unknown,
    cfn_string,
    comparable,
    contains_unknown,
    join_branches,
    typed_parameter,
    wrap_unknown,
)

BUCKET_TYPE = "AWS::S3::Bucket"
SSM_VALUE_PREFIX = "AWS::SSM::Parameter::Value<"
KNOWN_PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
UNKNOWN_PSEUDO = frozenset(
    {"AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs"}
)


_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_UNSET: Any = object()
_NAME_FIELDS: dict[str, Any] = {}
"""`name_property` of each resource type met (a fixed table: one lookup instead of a call)."""


class TemplateResolver:
    """Resolves values of one template; memoises conditions and each resource's properties."""

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, str] | None = None,
        plain: Mapping[int, Any] | None = None,
    ) -> None:
        overrides = dict(parameters or {})
        self.plain: Mapping[int, Any] = {} if plain is None else plain
        """`id()` of the template's containers that hold nothing to resolve (yaml_reader.TemplateLines):
        resolved, they are themselves, so `resolve` returns them as they are instead of copying them."""
        self.resources: Mapping[str, Any] = template.get("Resources") or {}
        self.template_transform: Any = template.get("Transform")
        self.mappings: Mapping[str, Any] = template.get("Mappings") or {}
        self.condition_definitions: Mapping[str, Any] = template.get("Conditions") or {}
        self.pseudo: dict[str, Any] = dict(KNOWN_PSEUDO)
        for name in (*KNOWN_PSEUDO, *UNKNOWN_PSEUDO):
            if name in overrides:
                self.pseudo[name] = overrides[name]
        if self.region:  # the partition and URL suffix follow a known region (aws-cn, aws-us-gov...)
            from guardrails.partitions import partition_for_region

            partition = partition_for_region(self.region)
            self.pseudo["AWS::Partition"] = overrides.get("AWS::Partition", partition.name)
            self.pseudo["AWS::URLSuffix"] = overrides.get("AWS::URLSuffix", partition.dns_suffix)
        self.parameters = self._parameter_values(template.get("Parameters") or {}, overrides)
        self._fixed_refs: dict[str, Any] = {**self.parameters, **self.pseudo, "AWS::NoValue": NO_VALUE}
        """What `Ref` of a name that is not a resource's gives (it cannot change; filled as met too):
        one lookup instead of three, and one `Unknown` per unknown pseudo parameter."""
        self._conditions: dict[str, bool | None] = {}
        self._conditions_pending: set[str] = set()
        self._properties: dict[str, Any] = {}
        self._properties_pending: set[str] = set()
        self._unknown_attributes: dict[tuple[str, str | None], Unknown] = {}

    # ----------------------------------------------------------------------------- pseudo parameters

    @property
    def region(self) -> str | None:
        value = self.pseudo.get("AWS::Region")
        return value if isinstance(value, str) and value else None

    @property
    def account(self) -> str | None:
        value = self.pseudo.get("AWS::AccountId")
        return value if isinstance(value, str) and value else None

    # ------------------------------------------------------------------------------------ parameters

    @staticmethod
    def _parameter_values(declared: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, spec in declared.items():
            spec = spec if isinstance(spec, dict) else {}
            parameter_type = str(spec.get("Type", "String"))
            if parameter_type.startswith(SSM_VALUE_PREFIX):
                # The default of an SSM-typed parameter is the NAME of an SSM parameter, not its value.
                values[name] = Unknown(f"Ref {name} (SSM parameter)")
            elif name in overrides:
                override = overrides[name]
                # A nested stack's parent may pass a value it cannot know itself.
                is_unknown = isinstance(override, Unknown)
                values[name] = override if is_unknown else typed_parameter(parameter_type, override)
            elif "Default" in spec:
                values[name] = typed_parameter(parameter_type, spec["Default"])
            else:
                values[name] = Unknown(f"Ref {name}")
        return values

    # ------------------------------------------------------------------------------------ conditions

    def condition(self, name: Any) -> bool | None:
        """True / False, or None when it depends on something unknown."""
        if not isinstance(name, str):
            return None
        if name in self._conditions:
            return self._conditions[name]
        if name in self._conditions_pending or name not in self.condition_definitions:
            return None
        self._conditions_pending.add(name)
        try:
            value = self.evaluate_condition(self.condition_definitions[name])
        except IntrinsicError as exc:
            if not exc.message.startswith("condition "):
                exc.message = f"condition {name}: {exc.message}"
            raise
        finally:
            self._conditions_pending.discard(name)
        self._conditions[name] = value
        return value

    def evaluate_condition(self, expression: Any) -> bool | None:
        if isinstance(expression, bool):
            return expression
        if not (isinstance(expression, dict) and len(expression) == 1):
            return None
        ((function, argument),) = expression.items()
        if function == "Condition":
            return self.condition(argument)
        if function == "Fn::Equals":
            if not (isinstance(argument, list) and len(argument) == 2):
                raise IntrinsicError("Fn::Equals takes a list of two values")
            left, right = self.resolve(argument[0]), self.resolve(argument[1])
            if contains_unknown(left) or contains_unknown(right):
                return None
            return bool(comparable(left) == comparable(right))
        if function in ("Fn::And", "Fn::Or", "Fn::Not"):
            if not isinstance(argument, list) or not argument:
                raise IntrinsicError(f"{function} takes a list of conditions")
            results = [self.evaluate_condition(item) for item in argument]
            if function == "Fn::Not":
                return None if results[0] is None else not results[0]
            decisive: bool = function == "Fn::Or"  # a True decides Or, a False decides And
            if decisive in results:
                return decisive
            return None if None in results else not decisive
        return None

    def resource_condition(self, logical_id: str) -> bool | None:
        """The resource's `Condition` (True when it has none)."""
        name = self.resources[logical_id].get("Condition")
        return True if name is None else self.condition(name)

    # ------------------------------------------------------------------------------------ resources

    def properties(self, logical_id: str) -> Any:
        """The resolved `Properties` of a resource (a dict, or Unknown), memoised."""
        known = self._properties.get(logical_id)  # (never None: one lookup when memoised)
        if known is not None:
            return known
        if logical_id in self._properties_pending:
            return Unknown(f"cyclic reference to {logical_id}")
        self._properties_pending.add(logical_id)
        try:
            raw = self.resources[logical_id].get("Properties")
            value = self._resolve_properties(raw)
        except IntrinsicError as exc:
            if exc.logical_id is None:
                exc.logical_id = logical_id
            raise
        finally:
            self._properties_pending.discard(logical_id)
        self._properties[logical_id] = value
        return value

    def _resolve_properties(self, raw: Any) -> Any:
        if type(raw) is dict and len(raw) != 1:  # (nearly always) a mapping of properties: a dict, or Unknown
            return raw if id(raw) in self.plain else self._resolve_mapping(raw)
        # `Properties: !If [cond, {...}, !Ref AWS::NoValue]` means "no properties" in one branch.
        if isinstance(raw, dict) and len(raw) == 1 and "Fn::If" in raw:
            argument = self._if_arguments(raw["Fn::If"])
            chosen = self.condition(argument[0])
            if chosen is None:
                return join_branches(
                    self._resolve_properties(argument[1]),
                    self._resolve_properties(argument[2]),
                    f"Fn::If {argument[0]}",
                )
            return self._resolve_properties(argument[1] if chosen else argument[2])
        value = self.resolve(raw)
        if value is None or value is NO_VALUE:
            return {}
        if not isinstance(value, (dict, Unknown)):
            raise IntrinsicError("Properties must be a mapping")
        return value

    def resource_type(self, logical_id: str) -> str | None:
        resource = self.resources.get(logical_id)
        return resource.get("Type") if isinstance(resource, dict) else None

    def resource_name(self, logical_id: str, property_name: str) -> str | None:
        """The literal `property_name` of an in-template resource, when it resolves to a string."""
        properties = self._properties.get(logical_id)  # (resolved already: nearly always)
        if properties is None:
            if logical_id in self._properties_pending:
                return None
            properties = self.properties(logical_id)
        value = properties.get(property_name) if isinstance(properties, dict) else None
        return value if isinstance(value, str) else None

    # ------------------------------------------------------------------------------------ resolution

    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic function in `value` (the input is not changed). The result is a new
        structure, except that the template's plain containers (`self.plain`) are shared, not copied:
        a result is for reading; change a copy of it."""
        if isinstance(value, dict):
            return value if id(value) in self.plain else self._resolve_mapping(value)
        if isinstance(value, list):
            return value if id(value) in self.plain else self._resolve_list(value)
        return value

    # The two walks below test the exact class first (`type(item)`: one specialised call, cheaper than
    # `item.__class__`): nearly every value is a str, dict or list; a plain container is taken as it is.

    def _resolve_mapping(self, value: dict[Any, Any]) -> Any:
        if len(value) == 1:
            ((key, argument),) = value.items()
            handler = _INTRINSICS.get(key)  # `Ref` and every known `Fn::` (one lookup)
            if handler is not None:
                return handler(self, argument)
            if key.startswith("Fn::"):
                return Unknown(key)
        elif "Fn::Transform" in value:  # AWS::Include merged into this mapping: anything may change
            return Unknown("Fn::Transform merged into the mapping")
        # A copy (one C call: most values are text or plain containers, kept as they are), then each
        # value that resolves to something else is written over, or deleted (null, `AWS::NoValue`).
        result = dict(value)
        plain = self.plain
        for key, item in value.items():
            kind = type(item)
            if kind is str:
                continue
            if kind is dict:
                if id(item) in plain:
                    continue
                item = self._resolve_mapping(item)
            elif kind is list:
                if id(item) in plain:
                    continue
                item = self._resolve_list(item)
            elif isinstance(item, (dict, list)):
                item = self.resolve(item)
            elif item is not None:
                continue
            if item is None or item is NO_VALUE:
                del result[key]
            else:
                result[key] = item
        return result

    def _resolve_list(self, value: list[Any]) -> list[Any]:
        items = []
        plain = self.plain
        for item in value:
            kind = type(item)
            if kind is str:
                items.append(item)
                continue
            if kind is dict or kind is list:
                if id(item) in plain:
                    items.append(item)
                    continue
                item = self._resolve_mapping(item) if kind is dict else self._resolve_list(item)
            elif isinstance(item, (dict, list)):
                item = self.resolve(item)
            else:
                items.append(item)
                continue
            if item is not NO_VALUE:
                items.append(item)
        return items

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise IntrinsicError("Ref takes the name of a parameter or resource")
        known = self._fixed_refs.get(name, _UNSET)  # AWS::NoValue, pseudo parameters, parameters
        if known is not _UNSET:
            return known
        resource = self.resources.get(name)  # (self.resource_type, inline)
        if isinstance(resource, dict) and resource.get("Type") == BUCKET_TYPE:  # Ref of a bucket: its name
            bucket_name = self.resource_name(name, "BucketName")
            if bucket_name is not None:
                return bucket_name
        if name in self.resources:
            return self._unknown_attribute(name, None)
        value = Unknown(f"Ref {name}", specific=name in UNKNOWN_PSEUDO)
        self._fixed_refs[name] = value
        return value

    def get_att(self, logical_id: str, attribute: str) -> Any:
        resource = self.resources.get(logical_id)  # (self.resource_type, inline)
        resource_type = resource.get("Type") if isinstance(resource, dict) else None
        if resource_type is None:
            return Unknown(f"GetAtt {logical_id}.{attribute}", specific=True)
        name_field = _NAME_FIELDS.get(resource_type, _UNSET)
        if name_field is _UNSET:
            name_field = _NAME_FIELDS[resource_type] = name_property(resource_type)
        if resource_type == BUCKET_TYPE and attribute == "Arn":
            bucket_name = self.resource_name(logical_id, "BucketName")
            if bucket_name is not None:
                return f"arn:{self.pseudo['AWS::Partition']}:s3:::{bucket_name}"
        elif name_field is not None and attribute == name_field:
            name = self.resource_name(logical_id, name_field)
            if name is not None:
                return name
        return self._unknown_attribute(logical_id, attribute)

    def _unknown_attribute(self, logical_id: str, attribute: str | None) -> Unknown:
        """`Ref` (attribute None) or `GetAtt` of an in-template resource, not knowable: one `Unknown` per
        reference, however often it is met (a bucket policy names its bucket's ARN two or three times)."""
        key = (logical_id, attribute)
        found = self._unknown_attributes.get(key)
        if found is None:
            reason = f"Ref {logical_id}" if attribute is None else f"GetAtt {logical_id}.{attribute}"
            found = self._unknown_attributes[key] = Unknown(
                reason, target=logical_id, attribute=attribute, specific=True
            )
        return found

    def _sub_variable(self, name: str, variables: Mapping[str, Any]) -> Any:
        if name in variables:
            return self.resolve(variables[name])
        if "." in name and not name.startswith("AWS::"):
            logical_id, attribute = name.split(".", 1)
            if logical_id in self.resources:
                return self.get_att(logical_id, attribute)
        return self._ref(name)

    @staticmethod
    def _if_arguments(argument: Any) -> list[Any]:
        if not (isinstance(argument, list) and len(argument) == 3):
            raise IntrinsicError("Fn::If takes [condition name, value if true, value if false]")
        return argument

    # One method per intrinsic function; each takes the function's (unresolved) argument.

    def fn_if(self, argument: Any) -> Any:
        argument = self._if_arguments(argument)
        chosen = self.condition(argument[0])
        if chosen is True:
            return self.resolve(argument[1])
        if chosen is False:
            return self.resolve(argument[2])
        return join_branches(self.resolve(argument[1]), self.resolve(argument[2]), f"Fn::If {argument[0]}")

    def fn_sub(self, argument: Any) -> Any:
        if isinstance(argument, str):
            text, variables = argument, {}
        elif (
            isinstance(argument, list)
            and len(argument) == 2
            and isinstance(argument[0], str)
            and isinstance(argument[1], dict)
        ):
            text, variables = argument
        else:
            raise IntrinsicError("Fn::Sub takes a string or [string, {variables}]")
        # literal text, variable, literal text, ..., literal text (one C call; no match objects)
        pieces = _SUB_VARIABLE.split(text)
        if len(pieces) == 3 and not pieces[0] and not pieces[2] and not pieces[1].startswith("!"):
            value = self._sub_variable(pieces[1].strip(), variables)  # the whole text is one variable
            return value if isinstance(value, Unknown) else _string_or_unknown("Fn::Sub", value)
        parts: list[str] = [pieces[0]]
        for index in range(1, len(pieces), 2):
            name = pieces[index]
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
            else:
                piece = cfn_string(self._sub_variable(name.strip(), variables))
                if isinstance(piece, Unknown):
                    has_literal_text = any(pieces[0::2])
                    return wrap_unknown("Fn::Sub", piece, specific=has_literal_text)
                parts.append(piece)
            parts.append(pieces[index + 1])
        return "".join(parts)

    def fn_join(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise IntrinsicError("Fn::Join takes [delimiter, [values]]")
        delimiter, items = self.resolve(argument[0]), self.resolve(argument[1])
        for value in (delimiter, items):
            if isinstance(value, Unknown):
                return wrap_unknown("Fn::Join", value)
        if not isinstance(delimiter, str) or not isinstance(items, list):
            raise IntrinsicError("Fn::Join takes [delimiter, [values]]")
        pieces = []
        strings = [cfn_string(item) for item in items]
        has_literal_text = (bool(delimiter) and len(items) > 1) or any(
            isinstance(s, str) and s for s in strings
        )
        for piece in strings:
            if isinstance(piece, Unknown):
                return wrap_unknown("Fn::Join", piece, specific=has_literal_text)
            pieces.append(piece)
        return delimiter.join(pieces)

    def fn_select(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise IntrinsicError("Fn::Select takes [index, [values]]")
        index, items = self.resolve(argument[0]), self.resolve(argument[1])
        for value in (index, items):
            if isinstance(value, Unknown):
                return wrap_unknown("Fn::Select", value)
        if isinstance(index, bool):
            raise IntrinsicError("Fn::Select index must be a number")
        try:
            position = int(index)
        except (TypeError, ValueError, OverflowError):
            raise IntrinsicError(f"Fn::Select index must be a whole number, not {str(index)[:40]}") from None
        if not isinstance(items, list):
            raise IntrinsicError("Fn::Select takes [index, [values]]")
        if not 0 <= position < len(items):
            return Unknown(f"Fn::Select index {position} out of range")
        return items[position]

    def fn_split(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise IntrinsicError("Fn::Split takes [delimiter, string]")
        delimiter, source = self.resolve(argument[0]), self.resolve(argument[1])
        for value in (delimiter, source):
            if isinstance(value, Unknown):
                return wrap_unknown("Fn::Split", value)
        if not isinstance(delimiter, str) or not delimiter:
            raise IntrinsicError("Fn::Split takes [delimiter, string]")
        text = cfn_string(source)
        return wrap_unknown("Fn::Split", text) if isinstance(text, Unknown) else text.split(delimiter)

    def fn_find_in_map(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) in (3, 4)):
            raise IntrinsicError("Fn::FindInMap takes [map, top-level key, second-level key]")
        keys = []
        for item in argument[:3]:
            key = cfn_string(self.resolve(item))
            if isinstance(key, Unknown):
                return wrap_unknown("Fn::FindInMap", key)
            keys.append(key)
        top = self.mappings.get(keys[0])
        second = top.get(keys[1]) if isinstance(top, dict) else None
        if isinstance(second, dict) and keys[2] in second:
            return self.resolve(second[keys[2]])
        if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
            return self.resolve(argument[3]["DefaultValue"])
        return Unknown(f"Fn::FindInMap {'/'.join(keys)} (no such entry)")

    def fn_base64(self, argument: Any) -> Any:
        text = cfn_string(self.resolve(argument))
        if isinstance(text, Unknown):
            return wrap_unknown("Fn::Base64", text)
        return base64.b64encode(text.encode()).decode("ascii")

    def fn_get_att(self, argument: Any) -> Any:
        if isinstance(argument, str) and "." in argument:
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            raise IntrinsicError("Fn::GetAtt takes [logical id, attribute]")
        attribute = argument[1]
        if not isinstance(attribute, str):  # (nearly always text: nothing to resolve)
            attribute = self.resolve(attribute)
        if not isinstance(attribute, str):
            return Unknown(f"GetAtt {argument[0]} (computed attribute)", target=argument[0], specific=True)
        return self.get_att(argument[0], attribute)

    def fn_import_value(self, argument: Any) -> Any:
        name = self.resolve(argument)
        return Unknown(f"ImportValue {name}" if isinstance(name, str) else "ImportValue")

    def fn_to_json_string(self, argument: Any) -> Any:
        value = self.resolve(argument)
        if contains_unknown(value):
            return Unknown("Fn::ToJsonString of unknown values")
        if not isinstance(value, (dict, list)):
            raise IntrinsicError("Fn::ToJsonString takes a mapping or a list")
        try:
            return json.dumps(value, separators=(",", ":"), allow_nan=False)
        except ValueError:
            raise IntrinsicError("Fn::ToJsonString of a number JSON cannot carry (infinity, NaN)") from None

    def fn_length(self, argument: Any) -> Any:
        value = self.resolve(argument)
        if isinstance(value, Unknown):
            return wrap_unknown("Fn::Length", value)
        if not isinstance(value, list):
            raise IntrinsicError("Fn::Length takes a list")
        return len(value)


def _transform_reason(argument: Any) -> str:
    name = argument.get("Name") if isinstance(argument, dict) else None
    return f"Fn::Transform {name}" if isinstance(name, str) else "Fn::Transform"


def _string_or_unknown(function: str, value: Any) -> Any:
    text = cfn_string(value)
    return wrap_unknown(function, text) if isinstance(text, Unknown) else text


def _condition_function(function: str) -> Callable[[TemplateResolver, Any], Any]:
    """`Fn::Equals`/`And`/`Or`/`Not` used as a value: the boolean, or Unknown."""

    def evaluate(resolver: TemplateResolver, argument: Any) -> Any:
        result = resolver.evaluate_condition({function: argument})
        return Unknown(function) if result is None else result

    return evaluate


_FUNCTIONS: dict[str, Callable[[TemplateResolver, Any], Any]] = {
    "Fn::If": TemplateResolver.fn_if,
    "Fn::Sub": TemplateResolver.fn_sub,
    "Fn::Join": TemplateResolver.fn_join,
    "Fn::Select": TemplateResolver.fn_select,
    "Fn::Split": TemplateResolver.fn_split,
    "Fn::FindInMap": TemplateResolver.fn_find_in_map,
    "Fn::Base64": TemplateResolver.fn_base64,
    "Fn::GetAtt": TemplateResolver.fn_get_att,
    "Fn::ImportValue": TemplateResolver.fn_import_value,
    "Fn::ToJsonString": TemplateResolver.fn_to_json_string,
    "Fn::Length": TemplateResolver.fn_length,
    "Fn::GetAZs": lambda _resolver, _argument: Unknown("Fn::GetAZs"),
    "Fn::Cidr": lambda _resolver, _argument: Unknown("Fn::Cidr"),
    "Fn::Transform": lambda _resolver, argument: Unknown(_transform_reason(argument)),
    UNKNOWN_MARKER: lambda _resolver, argument: Unknown(str(argument)),
    "Fn::Equals": _condition_function("Fn::Equals"),
    "Fn::And": _condition_function("Fn::And"),
    "Fn::Or": _condition_function("Fn::Or"),
    "Fn::Not": _condition_function("Fn::Not"),
}
_INTRINSICS: dict[str, Callable[[TemplateResolver, Any], Any]] = {"Ref": TemplateResolver._ref, **_FUNCTIONS}
