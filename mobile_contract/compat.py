"""Would a shipped phone app break? Compare two phone contracts, old (the snapshot) and new.

A request is what the phone writes and the server reads; a response is the other way round.
So the rules run in two directions:

* in a **request**, the server must still accept everything it accepted: a removed operation,
  parameter, body field or media type, a new required field or parameter, a narrower type,
  fewer enum values, a tighter bound, pattern or format, or a changed default breaks an app;
* in a **response**, the server must answer nothing an old app cannot read: a removed field,
  a field no longer always present, a wider type (null included), a new enum value, a looser
  bound, a new success status, a removed status, media type or header, or a status whose
  description (its meaning) changed breaks an app.

A new enum value in a response counts as breaking: an app generated from the old contract
maps enums to closed types and fails on a value it does not know. Renaming an operation id
counts too, because the phone team regenerates its client from the contract, and so does
renaming an enum value's generated name (``x-enum-varnames``). Everything
else (new operations, new optional request fields, new response fields, new error statuses)
is additive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

REQUEST, RESPONSE = "request", "response"
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

_Named = tuple[str | None, dict[str, Any]]  # a schema and the component it came from, if any


@dataclass(frozen=True)
class Change:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new`` that would break an app built against ``old``."""
    return _Comparison(old, new).run()


@dataclass
class Verdict:
    old_version: str
    new_version: str
    breaking: list[Change]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verdict(old: dict[str, Any], new: dict[str, Any], changelog: str) -> Verdict:
    """Breaking changes pass only with a new major version that has a changelog entry."""
    old_version, new_version = old["x-contract-version"], new["x-contract-version"]
    result = Verdict(old_version, new_version, breaking_changes(old, new))
    before, after = _semver(old_version), _semver(new_version)
    if after < before:
        result.problems.append(f"the contract version went back from {old_version} to {new_version}")
    if after != before and not changelog_has(changelog, new_version):
        result.problems.append(f"mobile_contract/CHANGELOG.md has no entry for {new_version}")
    if result.breaking and after[0] <= before[0]:
        result.problems.append(
            f"{len(result.breaking)} change(s) would break shipped apps: bump the major version of "
            f"CONTRACT_VERSION (api/phone.py, now {new_version}) and explain them in the changelog, "
            "or keep the old behaviour"
        )
    return result


def changelog_has(changelog: str, version: str) -> bool:
    """Whether a ``## <version>`` heading is followed by some text before the next heading."""
    sections = re.split(r"^## ", changelog, flags=re.MULTILINE)[1:]
    for section in sections:
        heading, _, body = section.partition("\n")
        if heading.split()[0:1] == [version] and body.strip():
            return True
    return False


def _semver(version: str) -> tuple[int, int, int]:
    found = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    if not found:
        raise ValueError(f"a contract version is MAJOR.MINOR.PATCH, not {version!r}")
    major, minor, patch = (int(part) for part in found.groups())
    return major, minor, patch


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Operations by ``METHOD /path`` with the path's parameter names blanked (names are not on
    the wire)."""
    found = {}
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                found[f"{method.upper()} {re.sub(r'{[^}]+}', '{}', path)}"] = item[method]
    return found


class _Comparison:
    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self._compared: set[tuple[str, str, str]] = set()

    def run(self) -> list[Change]:
        old_ops, new_ops = _operations(self.old), _operations(self.new)
        for key, old_op in old_ops.items():
            if key not in new_ops:
                self._flag(key, "the operation was removed")
            else:
                self._operation(key, old_op, new_ops[key])
        return self.changes

    def _flag(self, where: str, what: str) -> None:
        self.changes.append(Change(where, what))

    # Operations ------------------------------------------------------------------------------

    def _operation(self, key: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("operationId") != new.get("operationId"):
            self._flag(key, f"operationId {old.get('operationId')} became {new.get('operationId')}")
        old_security = {name for req in old.get("security", []) for name in req}
        if added := {name for req in new.get("security", []) for name in req} - old_security:
            self._flag(key, f"now needs {', '.join(sorted(added))}")
        self._parameters(key, old.get("parameters", []), new.get("parameters", []))
        self._request_body(key, old.get("requestBody"), new.get("requestBody"))
        self._responses(key, old.get("responses", {}), new.get("responses", {}))

    def _parameters(self, key: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
        old_params = {(p["in"], p["name"]): p for p in old}
        new_params = {(p["in"], p["name"]): p for p in new}
        for (where, name), param in new_params.items():
            before = old_params.get((where, name))
            if param.get("required") and not (before and before.get("required")):
                self._flag(f"{key} {where} {name}", "a required parameter was added")
        for (where, name), param in old_params.items():
            label = f"{key} {where} {name}"
            if (where, name) not in new_params:
                self._flag(label, "the parameter was removed (old apps still send it)")
            else:
                self._schema(
                    label, param.get("schema", {}), new_params[(where, name)].get("schema", {}), REQUEST
                )

    def _request_body(self, key: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        label = f"{key} request body"
        if old is None:
            if new is not None and new.get("required"):
                self._flag(label, "a required request body was added")
            return
        if new is None:
            self._flag(label, "the request body is no longer read")
            return
        if new.get("required") and not old.get("required"):
            self._flag(label, "the request body became required")
        for media, content in old.get("content", {}).items():
            if media not in new.get("content", {}):
                self._flag(label, f"{media} is no longer accepted")
            else:
                self._schema(
                    f"{label} ({media})",
                    content.get("schema", {}),
                    new["content"][media].get("schema", {}),
                    REQUEST,
                )

    def _responses(self, key: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for status in new.keys() - old.keys():
            if status.startswith(("1", "2", "3")):
                self._flag(f"{key} {status}", "a new success status (old apps do not expect it)")
        for status, before in old.items():
            label = f"{key} {status}"
            after = new.get(status)
            if after is None:
                self._flag(label, "the status is no longer answered")
                continue
            if before.get("description") != after.get("description"):
                self._flag(
                    label,
                    f"its meaning changed: {before.get('description')!r} -> {after.get('description')!r}",
                )
            for header, spec in before.get("headers", {}).items():
                if header not in after.get("headers", {}):
                    self._flag(label, f"the {header} header is no longer sent")
                elif spec != after["headers"][header]:
                    self._flag(label, f"the {header} header changed")
            for media, content in before.get("content", {}).items():
                if media not in after.get("content", {}):
                    self._flag(label, f"{media} is no longer answered")
                else:
                    self._schema(
                        f"{label} ({media})",
                        content.get("schema", {}),
                        after["content"][media].get("schema", {}),
                        RESPONSE,
                    )

    # Schemas ---------------------------------------------------------------------------------

    def _schema(self, where: str, old: dict[str, Any], new: dict[str, Any], direction: str) -> None:
        """Compare two schemas that may be unions (anyOf, oneOf, a list of types)."""
        olds, news = list(_alternatives(self.old, old)), list(_alternatives(self.new, new))
        if direction == REQUEST:
            pairs, missing = _match(olds, news)
            for _, schema in missing:
                self._flag(where, f"{_kind(schema)} is no longer accepted")
            for before, after in pairs:
                self._single(where, before, after, direction)
        else:
            pairs, missing = _match(news, olds)
            for _, schema in missing:
                self._flag(where, f"may now answer {_kind(schema)}")
            for after, before in pairs:
                self._single(where, before, after, direction)

    def _single(self, where: str, old_alternative: _Named, new_alternative: _Named, direction: str) -> None:
        (old_name, old), (new_name, new) = old_alternative, new_alternative
        if old_name is not None:
            where = f"{where} <{old_name}>"
        if old_name is not None and new_name is not None:
            compared = (old_name, new_name, direction)
            if compared in self._compared:
                return  # a component is judged once per direction (and recursion ends)
            self._compared.add(compared)
        self._enum(where, old, new, direction)
        self._bounds(where, old, new, direction)
        if direction == REQUEST and "default" in old | new and old.get("default") != new.get("default"):
            self._flag(where, f"the default changed from {old.get('default')!r} to {new.get('default')!r}")
        if _kind(old) == "object":
            self._object(where, old, new, direction)
        if _kind(old) == "array" and ("items" in old or "items" in new):
            self._schema(f"{where}[]", old.get("items", {}), new.get("items", {}), direction)

    def _enum(self, where: str, old: dict[str, Any], new: dict[str, Any], direction: str) -> None:
        old_values, new_values = _values(old), _values(new)
        old_names = dict(zip(old.get("enum", []), old.get("x-enum-varnames", []), strict=False))
        new_names = dict(zip(new.get("enum", []), new.get("x-enum-varnames", []), strict=False))
        for value, name in old_names.items():
            if new_names.get(value, name) != name:
                self._flag(
                    where, f"the generated name of {value!r} changed from {name} to {new_names[value]}"
                )
        if direction == REQUEST and new_values is not None:
            if old_values is None:
                self._flag(where, f"now limited to {sorted(map(str, new_values))}")
            elif lost := old_values - new_values:
                self._flag(where, f"no longer accepts {sorted(map(str, lost))}")
        if direction == RESPONSE and old_values is not None:
            if new_values is None:
                self._flag(where, f"no longer limited to {sorted(map(str, old_values))}")
            elif gained := new_values - old_values:
                self._flag(where, f"may now answer {sorted(map(str, gained))}")

    def _bounds(self, where: str, old: dict[str, Any], new: dict[str, Any], direction: str) -> None:
        for keyword in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            lower = keyword in _LOWER_BOUNDS
            narrower = after is not None and (before is None or (after > before if lower else after < before))
            if (direction == REQUEST) == narrower:
                self._flag(
                    where, f"{keyword} {before} -> {after} ({'tightened' if narrower else 'loosened'})"
                )
        for keyword in ("pattern", "format"):
            before, after = old.get(keyword), new.get(keyword)
            if before != after and (after if direction == REQUEST else before) is not None:
                self._flag(where, f"{keyword} {before!r} -> {after!r}")

    def _object(self, where: str, old: dict[str, Any], new: dict[str, Any], direction: str) -> None:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        if direction == REQUEST:
            for name in sorted(new_required - old_required):
                self._flag(f"{where}.{name}", "now required" if name in old_props else "a new required field")
            for name in sorted(old_props.keys() - new_props.keys()):
                self._flag(f"{where}.{name}", "the field was removed (old apps still send it)")
            if (
                old.get("additionalProperties", True) is not False
                and new.get("additionalProperties") is False
            ):
                self._flag(where, "other fields are no longer accepted")
        else:
            for name in sorted(old_props.keys() - new_props.keys()):
                self._flag(f"{where}.{name}", "the field was removed")
            for name in sorted((old_required - new_required) & new_props.keys()):
                self._flag(f"{where}.{name}", "no longer always present")
        for name in sorted(old_props.keys() & new_props.keys()):
            self._schema(f"{where}.{name}", old_props[name], new_props[name], direction)
        extra_old, extra_new = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(extra_old, dict) and isinstance(extra_new, dict):
            self._schema(f"{where}.*", extra_old, extra_new, direction)


# Union handling --------------------------------------------------------------------------------


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> _Named:
    """Follow ``$ref`` (keeping sibling keywords) and merge ``allOf``; returns (name, schema)."""
    name = None
    seen = set()
    while "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:
            break
        seen.add(ref)
        name = ref.rsplit("/", 1)[-1]
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**document["components"]["schemas"][name], **siblings}
    if "allOf" in schema:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for member in schema["allOf"]:
            member_name, part = _resolve(document, member)
            name = name or member_name
            properties = {**merged.get("properties", {}), **part.get("properties", {})}
            required = sorted({*merged.get("required", []), *part.get("required", [])})
            merged = {**part, **merged, "properties": properties, "required": required}
        schema = merged
    return name, schema


def _alternatives(document: dict[str, Any], schema: dict[str, Any]) -> Iterator[_Named]:
    name, schema = _resolve(document, schema)
    for union in ("anyOf", "oneOf"):
        if union in schema:
            for member in schema[union]:
                yield from _alternatives(document, member)
            return
    kinds = schema.get("type")
    if isinstance(kinds, list):
        for kind in kinds:
            yield name, {**schema, "type": kind}
        return
    yield name, schema


def _kind(schema: dict[str, Any]) -> str:
    if "type" in schema:
        return schema["type"]
    values = _values(schema)
    if values:
        kinds = {type(v).__name__ for v in values}
        return {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}.get(
            kinds.pop(), "any"
        )
    if "properties" in schema:
        return "object"
    return "any"


def _values(schema: dict[str, Any]) -> set[Any] | None:
    if "enum" in schema:
        return set(schema["enum"])
    if "const" in schema:
        return {schema["const"]}
    return None


def _fits(inner: str, outer: str) -> bool:
    """Whether every value of kind ``inner`` is also of kind ``outer``."""
    return inner == outer or outer == "any" or (inner, outer) == ("integer", "number")


def _match(needed: list[_Named], offered: list[_Named]) -> tuple[list[tuple[_Named, _Named]], list[_Named]]:
    """Pair each needed alternative with an offered one that covers it (same component name
    first, then same kind); the rest are missing."""
    pairs, missing = [], []
    for name, schema in needed:
        by_name = [(n, s) for n, s in offered if name is not None and n == name]
        by_kind = [(n, s) for n, s in offered if _fits(_kind(schema), _kind(s))]
        partner = (by_name or by_kind or [None])[0]
        if partner is None:
            missing.append((name, schema))
        else:
            pairs.append(((name, schema), partner))
    return pairs, missing
