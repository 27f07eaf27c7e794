"""Load an instrument from its versioned TOML file and check every rule of the format.

A released version is immutable: :data:`RELEASED` records the SHA-256 of each released file,
and a file that claims a released version with other content is refused. The format and the
rules are described for admins in ``docs/instrument.md``.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from leadwell.instrument.model import AXES, Axis, Facet, Instrument, Item, OpenQuestion

__all__ = [
    "RELEASED",
    "InstrumentError",
    "default_instrument",
    "load_instrument",
    "parse_instrument",
]

#: Released versions: version -> SHA-256 (hex) of the released file's bytes. A released file
#: never changes; a changed instrument is a new file with a new version.
RELEASED: dict[str, str] = {
    "1": "d7283545982b7cf25a4a9119ca056839ea5f236ea2f1e0edf20250cb5ba38f49",
}

_MIN_WORDS, _MAX_WORDS = 8, 20
_MIN_FACET_ITEMS = 3
_MIN_LEVELS = 2
_RATER_PREFIX, _SELF_PREFIX = "This person ", "I "
#: Columns of the wide CSV that no id may take.
_RESERVED = frozenset({"assessment", "group", "rater"})
_VERSION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_NAME = (re.compile(r"[A-Za-z][A-Za-z0-9_]*"), "a letter, then letters, digits or '_' (like M1)")
_LOWER = (re.compile(r"[a-z][a-z0-9_]*"), "lower-case letters, digits or '_' (like keep)")
#: Kind of table -> (pattern of its ids, the pattern in words); item ids: see _facet_item.
_ID_RULES = {"axis": _NAME, "facet": _NAME, "outcome": _NAME, "question": _LOWER}


class InstrumentError(ValueError):
    """An instrument file that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: str | list[str] | tuple[str, ...]) -> None:
        self.problems = (problems,) if isinstance(problems, str) else tuple(problems)
        count = len(self.problems)
        head = f"{count} problems in the instrument:\n" if count > 1 else ""
        super().__init__(head + "\n".join(self.problems))

    def __reduce__(self) -> tuple[type[InstrumentError], tuple[tuple[str, ...]]]:
        return type(self), (self.problems,)


def parse_instrument(text: str, *, source: str = "<string>") -> Instrument:
    """Parse and validate the TOML text of an instrument.

    Parameters
    ----------
    text : str
        The content of an instrument file (see ``docs/instrument.md`` for the format).
    source : str, optional
        Where the text comes from (a file name); every problem message starts with it.

    Returns
    -------
    Instrument
        The instrument, its items in canonical order (facet items in facet order, then the
        outcome items), with ``sha256`` the hash of ``text`` encoded as UTF-8.

    Raises
    ------
    InstrumentError
        Listing every problem found, one per line, each naming the source and the facet,
        item, outcome or question concerned. A text that declares a released version but
        differs from the released file is refused too.

    Notes
    -----
    ``sha256 = SHA-256(text.encode("utf-8"))``, compared with :data:`RELEASED` when the
    declared version is a released one.

    Examples
    --------
    >>> from leadwell.instrument import parse_instrument
    >>> instrument = parse_instrument(path.read_text("utf-8"), source=str(path))  # doctest: +SKIP
    """
    return _parse(text, source, hashlib.sha256(text.encode("utf-8")).hexdigest())


def load_instrument(path_or_version: str | Path = "1") -> Instrument:
    """Load a released instrument version by name, or an instrument file by path.

    Parameters
    ----------
    path_or_version : str or Path, default "1"
        A released version name (a key of :data:`RELEASED`, loaded from the package's
        ``versions/`` directory) or the path of a ``.toml`` file.

    Returns
    -------
    Instrument
        The validated instrument; ``sha256`` is the hash of the file's bytes.

    Raises
    ------
    InstrumentError
        When the version is unknown, the file cannot be read, a released file was changed,
        or the content breaks a rule of the format (see :func:`parse_instrument`).

    Examples
    --------
    >>> from leadwell.instrument import load_instrument
    >>> load_instrument("1").version
    '1'
    """
    target = path_or_version
    if isinstance(target, str) and target in RELEASED:
        resource = resources.files("leadwell.instrument") / "versions" / f"v{target}.toml"
        return _parse_bytes(resource.read_bytes(), str(resource), released=target)
    if isinstance(target, str) and not re.search(r"[/\\]|\.toml$", target):
        released = ", ".join(RELEASED)
        hint = "to load a file, pass its path ending in .toml"
        raise InstrumentError(
            [f"unknown instrument version {target!r}; released versions: {released} ({hint})"]
        )
    path = Path(target)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InstrumentError([f"{path}: cannot read the instrument file: {exc}"]) from None
    return _parse_bytes(data, str(path))


@cache
def default_instrument() -> Instrument:
    """Return the default instrument, released version "1" (loaded once, it is immutable).

    Returns
    -------
    Instrument
        ``load_instrument("1")``, cached for the life of the process.
    """
    return load_instrument("1")


def _parse_bytes(data: bytes, source: str, released: str = "") -> Instrument:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InstrumentError([f"{source}: the file is not UTF-8 text ({exc})"]) from None
    return _parse(text, source, hashlib.sha256(data).hexdigest(), released)


def _parse(text: str, source: str, digest: str, released: str = "") -> Instrument:
    """Parse and check; ``released`` names the version a packaged file must be."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InstrumentError([f"{source}: invalid TOML: {exc}"]) from None
    check = _Checker(source)
    instrument = _build(data, check)
    version = released or instrument.version
    if version in RELEASED and (digest != RELEASED[version] or instrument.version != version):
        check.add(
            "[instrument]",
            f"instrument version {version} was changed after release; a new version needs a new "
            f'file with a new version = "…" (released SHA-256 {RELEASED[version][:12]}…, this '
            f"text {digest[:12]}…)",
        )
    if check.problems:
        raise InstrumentError(check.problems)
    return replace(instrument, sha256=digest)


class _Checker:
    """Collects problems (so all are reported together) and the ids seen so far."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.ids: dict[str, str] = {}
        self.wordings: dict[str, str] = {}

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{self.source}: {where}: {what}")

    def table(self, value: object, where: str, required: str, optional: str = "") -> dict[str, Any]:
        """Check a table's keys; ``required`` and ``optional`` are space-separated key names."""
        if not isinstance(value, dict):
            self.add(where, f"expected a table, found {_kind(value)}")
            return {}
        allowed = required.split() + optional.split()
        for key in required.split():
            if key not in value:
                self.add(where, f"missing required key '{key}'")
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(allowed)}"
                self.add(where, f"unknown key '{key}' ({hint})")
        return value

    def text(self, table: dict[str, Any], key: str, where: str) -> str:
        """Return a non-empty string value, or "" after reporting why it is unusable."""
        value = table.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.add(where, f"'{key}' must be text in quotes, found {_kind(value)}")
            return ""
        if not value.strip():
            self.add(where, f"'{key}' is empty")
            return ""
        return " ".join(value.split())

    def tables(self, table: dict[str, Any], key: str, where: str = "top level") -> list[Any]:
        value = table.get(key, [])
        if not isinstance(value, list):
            written = "facets.items" if key == "items" else key
            self.add(where, f"'{key}' must be a list of [[{written}]] tables, found {_kind(value)}")
            return []
        return value

    def new_id(self, table: dict[str, Any], where: str, kind: str, position: str) -> str:
        """Check the ``id`` of a table: its form and that no other table of the file has it."""
        ident = self.text(table, "id", where)
        if not ident:
            return ""
        pattern, in_words = _ID_RULES.get(kind, (None, ""))
        if pattern is not None and not pattern.fullmatch(ident):
            self.add(where, f"id '{ident}' must be {in_words}")
        if ident.lower() in _RESERVED:
            self.add(where, f"id '{ident}' is reserved for a column of the wide CSV")
        if ident in self.ids:
            self.add(where, f"duplicate id '{ident}' ({position} repeats {self.ids[ident]})")
        else:
            self.ids[ident] = f"the id of {position}"
        return ident

    def wording(self, table: dict[str, Any], key: str, where: str, prefix: str = "") -> str:
        text = self.text(table, key, where)
        if not text:
            return ""
        words = len(text.split())
        if not _MIN_WORDS <= words <= _MAX_WORDS:
            self.add(where, f"{key} wording has {words} words; use {_MIN_WORDS}–{_MAX_WORDS}")
        if prefix and not text.startswith(prefix):
            self.add(where, f'{key} wording must start with "{prefix.strip()}"')
        if text in self.wordings:
            self.add(where, f"{key} wording repeats the wording of {self.wordings[text]}")
        else:
            self.wordings[text] = where
        return text


def _open(
    raw: object, kind: str, position: str, check: _Checker, required: str, optional: str = ""
) -> tuple[dict[str, Any], str, str]:
    """Check a table that has an id; return it, its name in messages ("facet M1"), its id."""
    ident = raw.get("id") if isinstance(raw, dict) else None
    where = f"{kind} {ident.strip()}" if isinstance(ident, str) and ident.strip() else position
    table = check.table(raw, where, required, optional)
    return table, where, check.new_id(table, where, kind, position)


def _kind(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text"}
    names |= {list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _build(data: dict[str, Any], check: _Checker) -> Instrument:
    top = check.table(data, "top level", "instrument scale axes facets", "outcomes questions")
    version, title = _header(top.get("instrument"), check)
    levels, not_observed = _scale(top.get("scale"), check)
    declared = [_axis(raw, i, check) for i, raw in enumerate(check.tables(top, "axes"))]
    facets: list[Facet] = []
    items: list[Item] = []
    for i, raw in enumerate(check.tables(top, "facets")):
        facet, facet_items = _facet(raw, i, check)
        facets.append(facet)
        items.extend(facet_items)
    items.extend(_outcome(raw, i, check) for i, raw in enumerate(check.tables(top, "outcomes")))
    questions = check.tables(top, "questions")
    return Instrument(
        version=version,
        title=title,
        scale=levels,
        not_observed=not_observed,
        axes=_axes_with_facets(declared, facets, check),
        facets=tuple(facets),
        items=tuple(items),
        questions=tuple(_question(raw, i, check) for i, raw in enumerate(questions)),
    )


def _header(raw: object, check: _Checker) -> tuple[str, str]:
    where = "[instrument]"
    table = check.table(raw, where, "version title")
    version = table.get("version")
    if "version" in table and not isinstance(version, str):
        check.add(
            where, f'version must be text in quotes, like version = "2"; found {_kind(version)}'
        )
        version = ""
    elif isinstance(version, str) and not _VERSION_RE.fullmatch(version):
        check.add(where, f"version {version!r} must be letters, digits, '.', '-' or '_'")
    return version or "", check.text(table, "title", where)


def _scale(raw: object, check: _Checker) -> tuple[tuple[str, ...], str]:
    where = "[scale]"
    table = check.table(raw, where, "levels not_observed")
    levels = table.get("levels", [])
    if not isinstance(levels, list) or not all(isinstance(x, str) and x.strip() for x in levels):
        check.add(where, "levels must be a list of non-empty labels in quotes")
        levels = []
    if "levels" in table and len(levels) < _MIN_LEVELS:
        check.add(where, f"levels has {len(levels)} label(s); a scale needs at least {_MIN_LEVELS}")
    if len(set(levels)) != len(levels):
        check.add(where, "levels has a label more than once")
    not_observed = check.text(table, "not_observed", where)
    if not_observed in levels:
        check.add(where, f"not_observed {not_observed!r} is also one of the levels")
    return tuple(levels), not_observed


def _axis(raw: object, index: int, check: _Checker) -> Axis:
    table, where, ident = _open(raw, "axis", f"axis #{index + 1}", check, "id name description")
    if ident and ident not in AXES:
        check.add(where, f"unknown axis; the model's axes are {', '.join(AXES)}")
    name, description = check.text(table, "name", where), check.text(table, "description", where)
    return Axis(id=ident, name=name, description=description, facets=())


def _axes_with_facets(
    declared: list[Axis], facets: list[Facet], check: _Checker
) -> tuple[Axis, ...]:
    for missing in [axis for axis in AXES if axis not in {a.id for a in declared}]:
        check.add(
            "[[axes]]", f"axis '{missing}' is missing; the model has the axes {', '.join(AXES)}"
        )
    axes = []
    for axis in declared:
        members = tuple(facet.id for facet in facets if facet.axis == axis.id)
        if axis.id in AXES and not members:
            check.add(f"axis {axis.id}", "has no facets; give at least one facet this axis")
        axes.append(replace(axis, facets=members))
    return tuple(axes)


def _facet(raw: object, index: int, check: _Checker) -> tuple[Facet, list[Item]]:
    table, where, ident = _open(
        raw, "facet", f"facet #{index + 1}", check, "id name description items", "axis caution"
    )
    axis = _facet_axis(table, where, check)
    raws = check.tables(table, "items", where)
    if "items" in table and len(raws) < _MIN_FACET_ITEMS:
        check.add(where, f"has {len(raws)} item(s); a facet needs at least {_MIN_FACET_ITEMS}")
    items = [_facet_item(item, j, ident, check) for j, item in enumerate(raws)]
    facet = Facet(
        id=ident,
        name=check.text(table, "name", where),
        axis=axis,
        description=check.text(table, "description", where),
        items=tuple(item.id for item in items),
    )
    return facet, items


def _facet_axis(table: dict[str, Any], where: str, check: _Checker) -> str | None:
    """The facet's axis: one of the model's axes, or None for a caution scale."""
    caution = table.get("caution", False)
    if not isinstance(caution, bool):
        check.add(where, f"caution must be true or false, found {_kind(caution)}")
    axis = check.text(table, "axis", where) or None
    if axis is not None and axis not in AXES:
        check.add(where, f"unknown axis '{axis}'; the axes are {', '.join(AXES)}")
    if caution is True and axis is not None:
        check.add(where, f"is a caution scale (caution = true) but has axis '{axis}'; remove one")
    elif caution is False and "axis" not in table:
        check.add(where, f'has no axis; add axis = "{AXES[0]}" (or another axis) or caution = true')
    return axis


def _facet_item(raw: object, index: int, facet: str, check: _Checker) -> Item:
    position = f"facet {facet or '?'}, item #{index + 1}"
    table, where, ident = _open(raw, "item", position, check, "id rater self")
    if ident and facet and not re.fullmatch(rf"{re.escape(facet)}\.[1-9][0-9]*", ident):
        check.add(
            where, f"item id '{ident}' must be {facet}.<n> (like {facet}.1) for facet {facet}"
        )
    rater = check.wording(table, "rater", where, _RATER_PREFIX)
    self_wording = check.wording(table, "self", where, _SELF_PREFIX)
    return Item(id=ident, facet=facet, rater=rater, self=self_wording)


def _outcome(raw: object, index: int, check: _Checker) -> Item:
    table, where, ident = _open(raw, "outcome", f"outcome #{index + 1}", check, "id rater", "self")
    if "self" in table:
        check.add(where, "has a self wording; outcome items are answered by others only")
    return Item(id=ident, facet=None, rater=check.wording(table, "rater", where), self=None)


def _question(raw: object, index: int, check: _Checker) -> OpenQuestion:
    table, where, ident = _open(raw, "question", f"question #{index + 1}", check, "id rater self")
    rater, self_wording = check.text(table, "rater", where), check.text(table, "self", where)
    return OpenQuestion(id=ident, rater=rater, self=self_wording)
