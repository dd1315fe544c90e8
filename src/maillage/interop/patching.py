"""JSON Patch (RFC 6902) on a resource: add, replace, remove, test, on JSON Pointer paths.
The patched resource is then taken as a whole, like a PUT."""

import copy

from django.utils.translation import gettext as _

from .validation import InvalidResource


def _tokens(pointer: str) -> list[str]:
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise InvalidResource(_("A JSON Patch path starts with “/”."))
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _parent(doc, tokens: list[str]):
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, list):
            try:
                node = node[int(token)]
            except (ValueError, IndexError):
                raise InvalidResource(_("A JSON Patch path names nothing.")) from None
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            raise InvalidResource(_("A JSON Patch path names nothing."))
    return node


def apply(document: dict, operations) -> dict:
    if not isinstance(operations, list):
        raise InvalidResource(_("A JSON Patch is a list of operations."))
    doc = copy.deepcopy(document)
    for op in operations:
        if not isinstance(op, dict) or op.get("op") not in ("add", "replace", "remove", "test"):
            raise InvalidResource(_("Supported JSON Patch operations: add, replace, remove, test."))
        tokens = _tokens(op.get("path", ""))
        if not tokens:
            raise InvalidResource(_("A JSON Patch cannot replace the whole resource."))
        parent, last = _parent(doc, tokens), tokens[-1]
        kind = op["op"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise InvalidResource(_("This JSON Patch operation needs a value."))
        if isinstance(parent, list):
            index = len(parent) if last == "-" else _index(last, len(parent) + 1)
            if kind == "add":
                parent.insert(index, op["value"])
            elif index >= len(parent):
                raise InvalidResource(_("A JSON Patch path names nothing."))
            elif kind == "replace":
                parent[index] = op["value"]
            elif kind == "remove":
                parent.pop(index)
            elif parent[index] != op["value"]:
                raise InvalidResource(_("A JSON Patch test failed."), status=409, code="conflict")
        elif isinstance(parent, dict):
            if kind in ("replace", "remove", "test") and last not in parent:
                raise InvalidResource(_("A JSON Patch path names nothing."))
            if kind in ("add", "replace"):
                parent[last] = op["value"]
            elif kind == "remove":
                del parent[last]
            elif parent[last] != op["value"]:
                raise InvalidResource(_("A JSON Patch test failed."), status=409, code="conflict")
        else:
            raise InvalidResource(_("A JSON Patch path names nothing."))
    return doc


def _index(token: str, size: int) -> int:
    try:
        index = int(token)
    except ValueError:
        raise InvalidResource(_("A JSON Patch path names nothing.")) from None
    if not 0 <= index < size:
        raise InvalidResource(_("A JSON Patch path names nothing."))
    return index
