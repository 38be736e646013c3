"""Prove an interface profile before the kiosk goes live: it loads, and (SOAP) it fits its WSDL —
the binding and operations exist, every template path is an element of the operation's input
type, every required element is filled, a constant fits its type, a repeated element is filled
from a list and a structure from a table, the answer paths exist in the output type. Every
problem is one `file:line: path: reason` line. No network: the WSDL is a local file."""
from __future__ import annotations

import os
import re
from typing import Any

from offline_queue.profile import (
    OPS, Each, Items, Leaf, Obj, Profile, ProfileError, answer_path_problem, leaves, load_profile,
)

_BINARY = ("base64Binary", "hexBinary")
_NOT_BYTES = ("attachment.content",)


def check_profile(path: str, wsdl: str | None = None, *, protocol: str | None = None) -> list[str]:
    """Every problem with the profile at `path` (for SOAP, against `wsdl`): [] when it is fine."""
    try:
        p = load_profile(path)
    except ProfileError as e:
        return list(e.problems)
    problems: list[str] = []
    if protocol and p.protocol != protocol:
        problems.append(f"{path}:{p.lines.line('protocol') or 1}: protocol: the profile speaks {p.protocol}, "
                        f"the site config says {protocol}")
    if p.protocol == "rest":
        problems += _check_rest(p)
    elif wsdl is None:
        problems.append(f"{path}:1: soap: a SOAP profile needs the jurisdiction's wsdl in the site config")
    else:
        problems += _check_soap(p, wsdl)
    return problems


def _at(p: Profile, dotted: str, reason: str) -> str:
    return f"{p.path}:{p.lines.line(dotted) or 1}: {dotted}: {reason}"


# ---- REST -----------------------------------------------------------------------------------
def _check_rest(p: Profile) -> list[str]:
    out = []
    for kind, op in p.ops.items():
        stray = re.sub(r"\{[^{}]*\}", "", op.path)
        if "{" in stray or "}" in stray:
            out.append(_at(p, f"{kind}.path", f"unbalanced braces in {op.path!r}"))
        for h, tmpl in op.headers:
            stray = re.sub(r"\{[^{}]*\}", "", tmpl)
            if "{" in stray or "}" in stray:
                out.append(_at(p, f"{kind}.headers.{h}", f"unbalanced braces in {tmpl!r}"))
        if op.method == "GET" and op.body is not None:
            out.append(_at(p, f"{kind}.body", "a GET request has no body"))
        for key in ("reference", "duplicate", "code", "message", "file_id", "status", "reason", "result"):
            v = getattr(op.answer, key)
            if v is not None:
                why = answer_path_problem(v, "rest")
                if why:
                    out.append(_at(p, f"{kind}.answer.{key}", why))
        if kind == "upload" and op.file == "raw" and op.body is not None:
            out.append(_at(p, f"{kind}.body", 'file = "raw" sends the file as the body: no body template'))
    sub = p.ops.get("submit")
    if sub is not None and sub.attachments == "upload" and "upload" in p.ops:
        up = p.ops["upload"]
        uses_id = any(lf.source == "attachment.file_id" for lf in leaves(sub.body))
        if up.answer.file_id and not uses_id:
            out.append(_at(p, "submit.body", "the upload answer gives a file id (upload.answer.file_id) but no "
                                             "leaf of the body is \"attachment.file_id\""))
        if uses_id and not up.answer.file_id:
            out.append(_at(p, "upload.answer.file_id", "missing: the body uses attachment.file_id; say where the "
                                                       "upload answer has it (a JSON Pointer)"))
    return out


# ---- SOAP -----------------------------------------------------------------------------------
def _check_soap(p: Profile, wsdl: str) -> list[str]:
    import zeep
    import zeep.exceptions
    from lxml import etree

    from offline_queue.transports.soap import HARDENED, ConfigProblem, find_binding

    if not os.path.exists(wsdl):
        return [f"{wsdl}:1: wsdl: no such file"]
    try:
        client = zeep.Client(wsdl, settings=zeep.Settings(**HARDENED))
    except (OSError, etree.XMLSyntaxError, zeep.exceptions.Error, ValueError, KeyError) as e:
        line = getattr(e, "lineno", None) or getattr(getattr(e, "position", None), "__getitem__", lambda i: 1)(0)
        return [f"{wsdl}:{line or 1}: wsdl: cannot load: {str(e)[:200]}"]
    try:
        binding_name = find_binding(client, p, wsdl)
    except ConfigProblem as e:
        key = "soap.binding" if p.binding else ("soap.service" if p.service else "soap")
        return [_at(p, key, str(e).split(": fix")[0])]
    binding = client.wsdl.bindings[binding_name]
    out: list[str] = []
    for kind in OPS:
        op = p.ops.get(kind)
        if op is None:
            continue
        try:
            operation = binding.get(op.operation)
        except (ValueError, KeyError, zeep.exceptions.Error):
            names = ", ".join(sorted(binding._operations)) if hasattr(binding, "_operations") else "?"
            out.append(_at(p, f"{kind}.operation", f"{op.operation} is not an operation of binding "
                                                   f"{binding_name} (it has {names})"))
            continue
        body = getattr(operation.input, "body", None)
        if body is None or not hasattr(body.type, "elements"):
            out.append(_at(p, f"{kind}.operation", f"{op.operation}: only document/literal operations with an "
                                                   f"element body are supported"))
            continue
        out += _fit(p, op.body, body.type, f"{kind}.input", kind)
        out += _answers(p, kind, op, operation)
    return out


def _is_complex(t) -> bool:
    return hasattr(t, "elements") and not _simple_name(t)


def _simple_name(t) -> str | None:
    """The XSD builtin a simple type is (or restricts), e.g. integer, base64Binary; None if complex."""
    from zeep.xsd.types.builtins import BuiltinType
    if isinstance(t, BuiltinType):
        for klass in type(t).__mro__:
            qn = getattr(klass, "_default_qname", None)
            if qn is not None:
                return qn.localname
        return getattr(t, "name", None) or "anySimpleType"
    return None


def _fit(p: Profile, node: Any, typ, path: str, kind: str) -> list[str]:
    """The template `node` (an Obj) against the complex type `typ`."""
    out: list[str] = []
    if not isinstance(node, Obj):
        return [_at(p, path, f"the operation's input is a structure ({typ.name}): give a table")]
    elements = dict(typ.elements)
    given = {name for name, _ in node.children}
    for name, kid in node.children:
        where = f"{path}.{name}"
        if name.startswith("@"):
            attrs = {a[0] for a in getattr(typ, "attributes", [])}
            if name[1:] not in attrs:
                out.append(_at(p, where, f"{typ.name} has no attribute {name[1:]} (it has {', '.join(sorted(attrs)) or 'none'})"))
            continue
        el = elements.get(name)
        if el is None:
            out.append(_at(p, where, f"{name} is not an element of {typ.name} (it has "
                                     f"{', '.join(elements) or 'no elements'})"))
            continue
        repeated = el.max_occurs != 1
        if isinstance(kid, (Each, Items)):
            if not repeated:
                out.append(_at(p, where, f"{name} is not a repeated element (maxOccurs 1): give one value, "
                                         f"not a list"))
                continue
            bodies = [kid.body] if isinstance(kid, Each) else list(kid.items)
            for i, b in enumerate(bodies):
                sub = where if isinstance(kid, Each) else f"{where}[{i}]"
                out += _fit_one(p, b, el, sub, kind)
        else:
            out += _fit_one(p, kid, el, where, kind)
    for name, el in elements.items():
        if el.min_occurs >= 1 and name not in given:
            out.append(_at(p, path, f"required element {name} (minOccurs {el.min_occurs}) of {typ.name} is not filled"))
    return out


def _fit_one(p: Profile, node: Any, el, where: str, kind: str) -> list[str]:
    t = el.type
    if _is_complex(t):
        if isinstance(node, Leaf):
            if node.source in ("params", "mapped"):
                return []
            return [_at(p, where, f"{el.name} is a structure ({t.name}): give a table of its elements, not a value")]
        return _fit(p, node, t, where, kind)
    if not isinstance(node, Leaf):
        return [_at(p, where, f"{el.name} is a simple value ({_simple_name(t)}), not a structure")]
    base = _simple_name(t) or "string"
    if node.source in ("mapped", "params"):
        return [_at(p, where, f"source {node.source!r} is a whole object; {el.name} takes one {base} value")]
    if node.source in _NOT_BYTES and base not in _BINARY and "base64" not in node.convs:
        return [_at(p, where, f"attachment.content is bytes; {el.name} is xs:{base}: make it base64Binary "
                              f"in the WSDL's terms, or add | base64 to send base64 text")]
    if node.source.startswith("const:"):
        value = node.source[6:]
        if "optional" in node.convs and value == "":
            return []
        try:
            for c in node.convs:
                if c == "int":
                    value = str(int(value))
            if base not in ("string", "anySimpleType", "normalizedString", "token") and base not in _BINARY:
                t.pythonvalue(value)
        except (ValueError, TypeError, ArithmeticError) as e:
            return [_at(p, where, f"constant {value!r} does not fit xs:{base}: {str(e)[:80]}")]
        except Exception as e:  # zeep's parsers raise several kinds
            return [_at(p, where, f"constant {value!r} does not fit xs:{base}: {type(e).__name__}")]
    if base in ("integer", "int", "long", "short", "decimal", "nonNegativeInteger", "positiveInteger") \
            and not node.source.startswith("const:") and "int" not in node.convs and node.source not in (
                "attachment.size", "attachment_count") and "sex_code" not in node.convs:
        return [_at(p, where, f"{el.name} is xs:{base} but {node.source!r} is text: add | int")]
    return []


def _answers(p: Profile, kind: str, op, operation) -> list[str]:
    out = []
    body = getattr(operation.output, "body", None)
    typ = getattr(body, "type", None)
    for key in ("reference", "duplicate", "code", "message", "file_id", "status", "reason", "result"):
        path = getattr(op.answer, key)
        if path in (None, ""):
            continue
        where = f"{kind}.answer.{key}"
        if typ is None or not hasattr(typ, "elements"):
            out.append(_at(p, where, f"{op.operation} has no output element to read {path!r} in"))
            continue
        t, trail = typ, []
        for name in path.split("/"):
            elements = dict(getattr(t, "elements", []) or [])
            if name not in elements:
                out.append(_at(p, where, f"{path!r}: {'/'.join(trail + [name])} is not in the answer "
                                         f"({getattr(t, 'name', '?')} has {', '.join(elements) or 'no elements'})"))
                break
            trail.append(name)
            t = elements[name].type
    return out
