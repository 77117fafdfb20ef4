"""Themes files: the themes a user cares about, read from TOML and checked.

A themes file (TOML) names each theme with a short description and/or seed terms::

    [themes."self-supervised learning"]
    description = "Learning representations from unlabeled data with pretext tasks."
    seeds = ["contrastive learning", "pretext task", "masked autoencoder"]

    [themes.robotics]
    seeds = ["robot", "manipulation", "imitation learning"]

`load_themes(path)` reads and checks it; its errors are `InputError`s that name the file and the line
(a missing or unreadable file names no line): invalid TOML, an unknown key, a theme named twice (ignoring
case), an empty theme, a description that is not a string or seeds that are not a list of strings, a
theme called "Other", which is reserved for topics that match no theme. `parse_themes` checks an already
parsed mapping and `as_themes` takes a path, a mapping or a list of `NamedTheme`. Mapping a model's topics
onto the themes: `topics.named_themes`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from topics.errors import InputError

__all__ = ["OTHER", "NamedTheme", "as_themes", "load_themes", "parse_themes", "toml_parser"]

OTHER = "Other"  # where topics.named_themes puts what matches no theme; no theme may take the name
THEME_KEYS = ("description", "seeds")
TOP_LEVEL_KEYS = ("themes",)


@dataclass(frozen=True)
class NamedTheme:
    """One theme a user cares about: its name, a short description and seed terms (either may be empty)."""

    name: str
    description: str = ""
    seeds: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)  # where its table starts in the themes file

    @property
    def texts(self) -> list[str]:
        """The texts whose vectors make the theme's vector: the description, then each seed term."""
        return ([self.description] if self.description else []) + list(self.seeds)


_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"' + "|" + r"'[^']*'"
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_HEADER = re.compile(rf"^\s*\[\s*({_KEY})\s*(?:\.\s*({_KEY})\s*)?\]\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^\s*({_KEY})\s*(?:\.\s*({_KEY})\s*)?(?:\.\s*({_KEY})\s*)?=")


def _unquote(key: str | None) -> str | None:
    if key is None:
        return None
    if key.startswith('"') and key.endswith('"'):
        try:
            import json

            return json.loads(key)
        except ValueError:
            return key[1:-1]
    if key.startswith("'") and key.endswith("'"):
        return key[1:-1]
    return key


class _Lines:
    """Where things are in the themes file: line numbers of theme tables and of the keys inside them.

    A light scan of the text (TOML itself gives no positions): it understands `[themes.NAME]` tables,
    `key = ...` lines inside them, top-level keys and dotted keys such as `themes.NAME.seeds = ...`.
    """

    def __init__(self, text: str):
        self.tables: list[tuple[str, int]] = []  # (theme name, line) in file order, duplicates kept
        self.keys: dict[tuple[str | None, str], int] = {}  # (theme or None for top level, key) -> line
        self.top_tables: dict[str, int] = {}
        current: str | None = None
        in_themes_root = False
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                first, second = _unquote(header.group(1)), _unquote(header.group(2))
                if first == "themes" and second is not None:
                    current, in_themes_root = second, False
                    self.tables.append((second, number))
                elif first == "themes":
                    current, in_themes_root = None, True
                    self.top_tables.setdefault(first, number)
                else:
                    current, in_themes_root = None, False
                    self.top_tables.setdefault(first or "", number)
                    self.keys.setdefault((None, first or ""), number)
                continue
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            parts = [_unquote(p) for p in assign.groups() if p is not None]
            if current is not None:
                self.keys.setdefault((current, parts[0]), number)
            elif in_themes_root:  # [themes] NAME = {...} or NAME.seeds = [...]
                self.tables.append((parts[0], number)) if (parts[0], number) not in self.tables else None
                if len(parts) > 1:
                    self.keys.setdefault((parts[0], parts[1]), number)
            elif not self.top_tables:  # top level, before any table
                self.keys.setdefault((None, parts[0]), number)
                if parts[0] == "themes" and len(parts) > 1:
                    self.tables.append((parts[1], number))
                    if len(parts) > 2:
                        self.keys.setdefault((parts[1], parts[2]), number)

    def theme(self, name: str) -> int | None:
        for found, number in self.tables:
            if found == name:
                return number
        return None

    def key(self, name: str | None, key: str) -> int | None:
        found = self.keys.get((name, key))
        return found or (self.theme(name) if name is not None else self.top_tables.get(key))


def toml_parser():
    """The TOML reader: tomllib (Python 3.11+), else tomli; themes files and the CLI's --config use it."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise InputError("reading TOML (a themes file or --config) needs Python 3.11+ or the tomli "
                             "package (pip install tomli)") from None
    return tomllib


def load_themes(path: str | Path) -> list[NamedTheme]:
    """The themes of a TOML file (see the module docstring); errors name the file and the line."""
    tomllib = toml_parser()
    path = Path(path).expanduser()
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"themes file {path} not found") from None
    except UnicodeDecodeError as error:
        raise InputError(f"themes file {path} is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise InputError(f"themes file {path} cannot be read: {error.strerror or error}") from None
    lines = _Lines(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        duplicate = _first_duplicate(lines)
        if duplicate is not None:  # TOML refuses a table declared twice: say it in the file's terms
            raise InputError(duplicate.format(path=path)) from None
        raise InputError(f"themes file {path} is not valid TOML: {error}") from None
    return parse_themes(data, source=str(path), lines=lines)


def _first_duplicate(lines: _Lines) -> str | None:
    seen: dict[str, tuple[str, int]] = {}
    for name, number in lines.tables:
        key = name.strip().casefold()
        if key in seen:
            first, first_line = seen[key]
            same = "" if first == name else f" (as {first!r})"
            return (f"{{path}}, line {number}: theme {name!r} is named twice; it was first defined on line "
                    f"{first_line}{same} (names are compared ignoring case)")
        seen[key] = (name, number)
    return None


def parse_themes(data: Mapping, source: str = "themes", lines: _Lines | None = None) -> list[NamedTheme]:
    """Themes from a parsed mapping: ``{"themes": {name: {...}}}`` or directly ``{name: {...}}``.

    A theme's value is a table with `description` (a string) and/or `seeds` (a list of strings); in the
    library a plain string (the description) or a list of strings (the seeds) also works.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"{source}: themes must be a mapping of theme name -> description and seeds, "
                         f"not {type(data).__name__}")
    from_file = lines is not None
    lines = lines or _Lines("")

    def where(name: str | None = None, key: str | None = None) -> str:
        number = lines.theme(name) if name is not None else None
        if key is not None:
            number = lines.key(name, key)
        return f"{source}, line {number}" if number else source

    if from_file or set(data) == {"themes"}:
        unknown = [k for k in data if k not in TOP_LEVEL_KEYS]
        if unknown:
            raise InputError(f"{where(None, unknown[0])}: unknown key {unknown[0]!r}; a themes file holds "
                             'only [themes."<name>"] tables with description and seeds')
        if "themes" not in data:
            raise InputError(f'{source}: no themes; add tables such as [themes."medical imaging"] with '
                             "description = \"...\" and seeds = [\"...\"]")
        data = data["themes"]
        if not isinstance(data, Mapping):
            raise InputError(f"{where(None, 'themes')}: 'themes' must be a table of themes, "
                             f"not {_kind(data)}")
    if not data:
        raise InputError(f"{source}: no themes defined")
    themes: list[NamedTheme] = []
    seen: dict[str, str] = {}
    for raw_name, value in data.items():
        name = str(raw_name).strip()
        if not name:
            raise InputError(f"{where(str(raw_name))}: a theme needs a name (got an empty one)")
        if name.casefold() == OTHER.casefold():
            raise InputError(f"{where(str(raw_name))}: {OTHER!r} is reserved for topics that match no theme; "
                             "choose another name")
        if name.casefold() in seen:
            first = seen[name.casefold()]
            first_line = lines.theme(first)
            at = f" on line {first_line}" if first_line else ""
            raise InputError(f"{where(str(raw_name))}: theme {name!r} is named twice; it was first "
                             f"defined{at} as {first!r} (names are compared ignoring case)")
        seen[name.casefold()] = str(raw_name)
        themes.append(_theme(str(raw_name), name, value, where, from_file))
    return themes


def _kind(value) -> str:
    names = {str: "a string", bool: "true/false", int: "a number", float: "a number", list: "a list",
             dict: "a table"}
    return names.get(type(value), "a " + type(value).__name__)


def _theme(raw_name: str, name: str, value, where, from_file: bool) -> NamedTheme:
    if not from_file and isinstance(value, str):
        value = {"description": value}
    elif not from_file and isinstance(value, (list, tuple)):
        value = {"seeds": list(value)}
    if not isinstance(value, Mapping):
        raise InputError(f"{where(raw_name)}: theme {name!r} must be a table with description and/or seeds, "
                         f"not {_kind(value)}")
    unknown = [k for k in value if k not in THEME_KEYS]
    if unknown:
        raise InputError(f"{where(raw_name, unknown[0])}: theme {name!r} has an unknown key {unknown[0]!r} "
                         f"(known: {', '.join(THEME_KEYS)})")
    description = value.get("description", "")
    if not isinstance(description, str):
        raise InputError(f"{where(raw_name, 'description')}: theme {name!r}: description must be a string, "
                         f"not {_kind(description)}")
    seeds = value.get("seeds", [])
    if isinstance(seeds, str):
        seeds = [seeds]
    if not isinstance(seeds, (list, tuple)) or not all(isinstance(s, str) for s in seeds):
        listed = isinstance(seeds, (list, tuple))
        bad = next(s for s in seeds if not isinstance(s, str)) if listed else seeds
        raise InputError(f"{where(raw_name, 'seeds')}: theme {name!r}: seeds must be a list of strings "
                         f"({_kind(bad)} found)")
    seeds = tuple(dict.fromkeys(" ".join(s.split()) for s in seeds if s.strip()))
    description = " ".join(description.split())
    if not description and not seeds:
        raise InputError(f"{where(raw_name)}: theme {name!r} is empty; give it a description and/or seeds")
    number = None
    match = re.search(r"line (\d+)", where(raw_name))
    if match:
        number = int(match.group(1))
    return NamedTheme(name=name, description=description, seeds=seeds, line=number)


def as_themes(themes) -> list[NamedTheme]:
    """Themes from a file path, a mapping (as in a themes file), or a list of `NamedTheme`."""
    if isinstance(themes, (str, Path)):
        return load_themes(themes)
    if isinstance(themes, Mapping):
        return parse_themes(themes, source="themes")
    if isinstance(themes, Sequence) and themes and all(isinstance(t, NamedTheme) for t in themes):
        names = [t.name.casefold() for t in themes]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise InputError(f"themes: theme {duplicates[0]!r} is named twice "
                             "(names are compared ignoring case)")
        return list(themes)
    raise InputError("themes must be a path to a TOML file, a mapping of name -> description and seeds, or a "
                     f"list of NamedTheme; got {type(themes).__name__}")
