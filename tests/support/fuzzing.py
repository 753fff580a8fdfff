"""Hypothesis strategies for hostile requests: what an HTTP client can send, whatever its
intentions. Bodies start from a valid request of the API and replace, drop or add fields, so
that most examples get past the first check and reach the code behind it.

Values cover nesting, huge and exotic numbers, lone surrogates, every Unicode category,
empty and whitespace-only text, long lists and wrong types. Requests are built as raw bytes
(`Wire`): the client library must not tidy away what a hostile client would send.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote, quote_from_bytes

from hypothesis import strategies as st

T = TypeVar("T")

# Every category, lone surrogates (Cs) included: Hypothesis leaves them out by default.
ANY_CHARACTER = st.characters(codec=None, exclude_categories=())
EXOTIC_TEXTS = [
    "",
    " ",
    "   ",
    "\t\n",
    "\u3000",  # ideographic space
    "\u00a0",  # no-break space
    "\u200b",  # zero width space
    "A\u202eB",  # right-to-left override
    "\u2066x\u2069",  # left-to-right isolate
    "a\u200db",  # ZWJ between letters
    "👩\u200d💻",  # ZWJ in an emoji sequence
    "\ufeff",  # byte order mark
    "\U000e0041",  # a tag character
    "\u2028",  # line separator
    "\ud800",  # lone surrogates
    "\udc80",
    "x\udfffy",
    "\x00",
    "\x7f",
    "²",  # digits that are not ASCII
    "\u0663",
    "\uff12",
    "9" * 5000,
    "-1",
    "0",
    "1e309",
    "NaN",
    "null",
    "true",
    "%00",
    "%ff%fe",
    "../../etc/passwd",
    "'; DROP TABLE launches; --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "é" * 300,
    "x" * 5000,
]


@dataclass(frozen=True)
class Raw:
    """A JSON fragment written as it is: numbers Python's json module will not write (5,000
    digits, 1e999999), or nesting deeper than its encoder recurses."""

    text: str


ABSENT = object()  # a field left out of the request


@dataclass(frozen=True)
class Wire:
    """One request as bytes, the way a client puts it on the wire."""

    method: str
    path: str  # path and query, percent-encoded
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""

    def __repr__(self) -> str:
        # What a failing example prints: bodies run to hundreds of kilobytes. The run is
        # derandomized, so the example itself comes back on the next run.
        body = self.body if len(self.body) <= 300 else self.body[:300] + b"..."
        path = self.path if len(self.path) <= 300 else self.path[:300] + "..."
        return (
            f"Wire({self.method!r}, {path!r} ({len(self.path)} characters), {self.headers!r}, "
            f"{body!r} ({len(self.body)} bytes))"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis's printer, which would print the whole body


def mostly(
    usual: st.SearchStrategy[T], *rare: st.SearchStrategy[T], tenths: int = 8
) -> st.SearchStrategy[T]:
    """`usual` about `tenths` times in ten, else one of `rare`. (Hypothesis draws the first
    and the last branch of a `one_of` far more often than the others, repeated branches
    included; `sampled_from` keeps the proportions.)"""
    choices = [usual] * tenths + [st.one_of(*rare)] * (10 - tenths)
    return st.sampled_from(choices).flatmap(lambda chosen: chosen)


def texts() -> st.SearchStrategy[str]:
    return _TEXTS


def _texts() -> st.SearchStrategy[str]:
    # Half the time a known troublemaker, else text of any categories.
    anything = st.one_of(
        st.text(ANY_CHARACTER, max_size=30),
        st.text(ANY_CHARACTER, min_size=1, max_size=3).map(lambda part: part * 100),
    )
    return mostly(st.sampled_from(EXOTIC_TEXTS), anything, tenths=5)


def numbers() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(
            [
                Raw("9" * 5000),
                Raw("-" + "9" * 4000),
                Raw("1e999999"),
                Raw("-1E400"),
                Raw("-0"),
                Raw("0.000000000000000000000000000001"),
                Raw("123456789012345678901234567890"),
            ]
        ),
    )


def nesting() -> st.SearchStrategy[Raw]:
    """Arrays or objects nested deeper than any recursive parser or validator goes."""
    return st.integers(min_value=1, max_value=30_000).flatmap(
        lambda depth: st.sampled_from(
            [Raw("[" * depth + "]" * depth), Raw('{"a":' * depth + "1" + "}" * depth)]
        )
    )


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value: scalars most often (cheap to draw), containers, deep nesting, long
    lists."""
    return _JSON_VALUES


def _json_values() -> st.SearchStrategy[Any]:
    leaves = st.one_of(st.none(), st.booleans(), numbers(), texts())
    nested = st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=3), st.dictionaries(texts(), children, max_size=3)
        ),
        max_leaves=5,
    )
    return st.one_of(leaves, leaves, nested, nesting(), st.integers(0, 400).map(lambda n: [{}] * n))


_TEXTS = _texts()
_JSON_VALUES = _json_values()


def mutated(valid: Any) -> st.SearchStrategy[Any]:
    """`valid` with one of its fields (seven times in ten; else a few, or none) replaced by a
    hostile value or left out, and now and then unknown fields beside them. One bad field at a
    time is what reaches the code behind the other fields' checks."""
    paths = list(_paths(valid))
    if not paths:
        return st.just(valid)
    one = st.sampled_from(paths).map(lambda path: [path])
    chosen = mostly(one, st.lists(st.sampled_from(paths), max_size=4), tenths=7)
    changed = chosen.flatmap(
        lambda where: st.tuples(*[_hostile(_at(valid, path)) for path in where]).map(
            lambda values: _replaced(valid, where, values)
        )
    )
    if not isinstance(valid, dict):
        return changed
    extra = mostly(st.just({}), st.dictionaries(texts(), json_values(), min_size=1, max_size=2))
    return st.builds(lambda body, more: {**more, **body}, changed, extra)


Path = tuple[Any, ...]


def _paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every field of `value`, nested ones and list items included."""
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    found = []
    for key, inner in items:
        found.append((*prefix, key))
        found.extend(_paths(inner, (*prefix, key)))
    return found


def _at(value: Any, path: Path) -> Any:
    for key in path:
        value = value[key]
    return value


def _hostile(value: Any) -> st.SearchStrategy[Any]:
    """What replaces a field: text for text (a wrong type is refused before anything reads
    the field), longer lists for lists, any JSON value, or nothing at all."""
    if isinstance(value, str):
        other = mostly(texts(), json_values(), tenths=7)
    elif isinstance(value, list) and value:
        longer = st.integers(0, 40).map(lambda n: [copy.deepcopy(value[0]) for _ in range(n)])
        other = mostly(longer, json_values(), tenths=5)
    else:
        other = json_values()
    return mostly(other, st.just(ABSENT))


def _replaced(valid: Any, where: list[Path], values: tuple[Any, ...]) -> Any:
    result = copy.deepcopy(valid)
    for path, value in zip(where, values, strict=True):
        try:
            parent = _at(result, path[:-1])
            if value is ABSENT:
                del parent[path[-1]]
            else:  # a copy: the template (`valid`) is shared by every example
                parent[path[-1]] = copy.deepcopy(value)
        except (KeyError, IndexError, TypeError):  # an earlier change removed or replaced it
            continue
    return result


def encode(value: Any) -> str:
    """JSON text of `value`; Raw fragments as they are, lone surrogates as escapes."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{encode(str(k))}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(item) for item in value) + "]"
    return json.dumps(value)  # ensure_ascii: "\ud800" is written as its escape


def to_bytes(text: str) -> bytes:
    """UTF-8, lone surrogates included (as the bytes a broken client would send)."""
    return text.encode("utf-8", "surrogatepass")


def json_bodies(valid: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """Mostly the valid body mutated; else any JSON, a broken document, bytes, nothing."""
    mutated_body = mutated(valid).map(lambda body: to_bytes(encode(body)))
    return mostly(
        mutated_body,
        json_values().map(lambda value: to_bytes(encode(value))),
        st.binary(max_size=64),
        st.sampled_from([b"", b" ", b"{", b'{"a":}', b"\xff\xfe{}", b"[1,2", b'"\\ud800"']),
    )


def header_values(*valid: str, odd: tuple[str, ...] = ()) -> st.SearchStrategy[bytes | None]:
    """A header's value: one of the valid ones (most often), an `odd` one, garbage, or left
    out. Bytes a server would accept in a header: no controls but tab, Latin-1 above ASCII."""
    garbage = st.binary(max_size=80).map(
        lambda raw: bytes(b for b in raw if b == 9 or 0x20 <= b != 0x7F)
    )
    rare: list[st.SearchStrategy[bytes | None]] = [garbage, texts().map(_latin1), st.none()]
    if odd:
        rare.append(st.sampled_from([v.encode("latin-1") for v in odd]))
    return mostly(st.sampled_from([v.encode("latin-1") for v in valid]), *rare)


def _latin1(text: str) -> bytes:
    return bytes(b for b in to_bytes(text) if b == 9 or 0x20 <= b != 0x7F)


def content_types(usual: str = "application/json") -> st.SearchStrategy[bytes | None]:
    """Mostly the endpoint's own media type, so that most bodies are read; else another one,
    garbage or none."""
    others = header_values(
        "application/json; charset=utf-8",
        "application/vnd.partner+json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=b",
        "text/plain",
        "",
    )
    return mostly(st.just(usual.encode()), others)


def headers(
    **values: st.SearchStrategy[bytes | None],
) -> st.SearchStrategy[list[tuple[bytes, bytes]]]:
    """The named headers (underscores for hyphens), left out when their value is None, and
    a few more of any name."""
    named = st.fixed_dictionaries({k.replace("_", "-"): v for k, v in values.items()})
    extra = st.lists(
        st.tuples(
            st.sampled_from(
                [b"accept", b"accept-language", b"x-forwarded-for", b"x-extra", b"origin"]
            ),
            header_values("application/json", "*/*", "es-ES,es;q=0.9"),
        ),
        max_size=3,
    )
    return st.builds(_header_list, named, extra)


def _header_list(
    named: dict[str, bytes | None], extra: list[tuple[bytes, bytes | None]]
) -> list[tuple[bytes, bytes]]:
    pairs = [(k.encode(), v) for k, v in named.items()] + extra
    return [(name, value) for name, value in pairs if value is not None]


def query_strings(valid: dict[str, str]) -> st.SearchStrategy[str]:
    """`valid` as a query string, its values kept, replaced, repeated or left out, with
    unknown parameters, broken escapes and bytes that are not UTF-8."""
    fields = {key: mostly(st.just(value), texts(), st.just(ABSENT)) for key, value in valid.items()}
    extra = mostly(st.just([]), st.lists(st.tuples(texts(), texts()), min_size=1, max_size=3))
    broken = mostly(
        st.just(""),
        st.sampled_from(["&", "=", "%", "%zz=1", "a=%ff", "limit", "a=1&a=2", "+=+"]),
    )
    return st.builds(_query, st.fixed_dictionaries(fields), extra, broken)


def _query(fields: dict[str, Any], extra: list[tuple[str, str]], broken: str) -> str:
    pairs = [(k, v) for k, v in fields.items() if v is not ABSENT] + extra
    encoded = [f"{escape(k)}={escape(v)}" for k, v in pairs]
    return "&".join([*encoded, broken] if broken else encoded)


def escape(text: str) -> str:
    """Percent-encoded UTF-8, lone surrogates included."""
    return quote_from_bytes(to_bytes(text), safe="")


def path_segments(*valid: str) -> st.SearchStrategy[str]:
    """One path segment: a valid id, or anything at all, percent-encoded."""
    anything = texts().map(escape)
    if not valid:
        return anything
    return mostly(st.sampled_from([quote(v, safe="") for v in valid]), anything)
