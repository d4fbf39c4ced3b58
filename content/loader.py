"""Loading and validating role packs.

A broken pack must stop start-up with a message a content editor can act on: the file, the field
path and the problem. All problems in all files are collected before failing, so one run of
``careerbot content check`` shows everything that needs fixing.

Start-up must not grow with the packs the way parsing YAML does (a full pack took 160 ms in
PyYAML's pure-Python parser). Two things keep it small: the C parser (libyaml) when PyYAML has
it, and a **compiled index**: once every pack has loaded and passed every check, the validated
packs are written as one JSON file to the data directory, keyed by a hash of every pack file's
bytes and of the schema and loader code. The next start with the same files reads that JSON
instead (about 1 ms a pack, still validated by the same models); any change to a pack, the
schema or the loader makes the key differ and the packs are read from YAML again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

import content.certifications
import content.packbase
import content.schema
from content.schema import RolePack, slug_words

DEFAULT_ROLES_DIR = Path(__file__).parent / "roles"
SCHEMA_MODULES = (content.packbase, content.certifications, content.schema)
"""Every module whose models validate a pack: their code is part of the compiled index's key."""
COMPILED_NAME = "content-index.json"

log = logging.getLogger("careerbot.content")


@dataclass(frozen=True)
class PackProblem:
    file: str
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.problem}"


class ContentError(Exception):
    """One or more role packs are invalid; ``problems`` lists each with file and field."""

    def __init__(self, problems: list[PackProblem]) -> None:
        self.problems = problems
        super().__init__("invalid content:\n" + "\n".join(f"  {p}" for p in problems))


class Library:
    """All role packs, indexed for lookup by id and by any alias."""

    def __init__(self, packs: list[RolePack]) -> None:
        self.packs = sorted(packs, key=lambda p: (p.risk is None, p.title))
        self._by_id = {p.id: p for p in packs}
        self.names: dict[str, str] = {}
        for pack in packs:
            for name in (pack.id, pack.title, *pack.aliases):
                self.names.setdefault(slug_words(name), pack.id)

    def get(self, role_id: str) -> RolePack | None:
        return self._by_id.get(role_id)

    @property
    def default(self) -> RolePack:
        """The first full pack: what a person gets before they choose a role."""
        return self.packs[0]


_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _PackLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, but dates stay text: PyYAML would raise on ``2026-02-31`` with no field
    name, while the schema's date fields then name the file, the field and the problem."""


_PackLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path) -> object:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_PackLoader)


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def load_file(path: Path) -> tuple[RolePack | None, list[PackProblem]]:
    try:
        data = read_yaml(path)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [PackProblem(path.name, "(file)", f"cannot read: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        return None, [
            PackProblem(path.name, where, f"not valid YAML: {getattr(exc, 'problem', exc)}")
        ]
    if not isinstance(data, dict):
        return None, [PackProblem(path.name, "(top level)", "expected a mapping of fields")]
    try:
        return RolePack.model_validate(data), []
    except ValidationError as exc:
        return None, [
            PackProblem(path.name, _field_path(err["loc"]), err["msg"]) for err in exc.errors()
        ]


def load_library(roles_dir: Path = DEFAULT_ROLES_DIR, compiled_dir: Path | None = None) -> Library:
    """Load every ``*.yaml`` pack; raise :class:`ContentError` listing every problem found.

    With ``compiled_dir``, read the compiled index kept there when it matches the files, and
    write one after a successful load when it does not.
    """
    files = sorted(roles_dir.glob("*.yaml"))
    if not files:
        raise ContentError(
            [PackProblem(str(roles_dir), "(folder)", "no role packs (*.yaml) found")]
        )
    if compiled_dir is None:
        return Library(_load_files(files))
    compiled = compiled_dir / COMPILED_NAME
    key = _fingerprint(roles_dir, files)
    packs = _read_compiled(compiled, key)
    if packs is None:
        packs = _load_files(files)
        _write_compiled(compiled, key, packs)
    return Library(packs)


def _fingerprint(roles_dir: Path, files: list[Path]) -> str:
    """Changes whenever a pack file, the folder, the schema (all three of its modules) or this
    loader changes."""
    digest = hashlib.sha256()
    for code in (*(m.__file__ for m in SCHEMA_MODULES), __file__):
        digest.update(Path(code).read_bytes())
    digest.update(str(roles_dir.resolve()).encode())
    for path in files:
        digest.update(path.name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _read_compiled(compiled: Path, key: str) -> list[RolePack] | None:
    try:
        data = json.loads(compiled.read_text(encoding="utf-8"))
        if data.get("key") != key:
            return None
        return [RolePack.model_validate(pack) for pack in data["packs"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        # Missing, half-written or from another version: the YAML files are the truth.
        log.debug("compiled content index %s not used: %s", compiled, exc)
        return None


def _write_compiled(compiled: Path, key: str, packs: list[RolePack]) -> None:
    payload = {"key": key, "packs": [pack.model_dump(mode="json") for pack in packs]}
    partial = compiled.with_suffix(f".{os.getpid()}.tmp")
    try:
        compiled.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, compiled)  # readers see the old file or the new one, never half
    except OSError as exc:
        log.warning("could not write the compiled content index %s: %s", compiled, exc)
        partial.unlink(missing_ok=True)


def _load_files(files: list[Path]) -> list[RolePack]:
    problems: list[PackProblem] = []
    loaded: list[tuple[RolePack, str]] = []
    declared: set[str] = set()
    """Ids of every file, loaded or not, so one broken pack doesn't cascade into others."""
    for path in files:
        pack, found = load_file(path)
        problems += found
        if pack is not None:
            loaded.append((pack, path.name))
            declared.add(pack.id)
        else:
            declared.add(_declared_id(path))
    problems += _cross_pack_problems(loaded, declared)
    if problems:
        raise ContentError(problems)
    return [pack for pack, _ in loaded]


def _declared_id(path: Path) -> str:
    try:
        data = read_yaml(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return ""
    return str(data.get("id", "")) if isinstance(data, dict) else ""


def _cross_pack_problems(
    loaded: list[tuple[RolePack, str]], declared: set[str]
) -> list[PackProblem]:
    problems: list[PackProblem] = []
    seen_ids: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    for pack, file in loaded:
        if pack.id in seen_ids:
            problems.append(PackProblem(file, "id", f"duplicate role id {pack.id!r}"))
        seen_ids[pack.id] = file
        for name in {slug_words(n) for n in (pack.title, *pack.aliases)}:
            owner = seen_names.setdefault(name, pack.id)
            if owner != pack.id:
                problems.append(
                    PackProblem(file, "aliases", f"name {name!r} already belongs to role {owner!r}")
                )
    for pack, file in loaded:
        if pack.adjacent_roles is None:
            continue
        for index, adjacent in enumerate(pack.adjacent_roles.items):
            if adjacent.role not in declared:
                problems.append(
                    PackProblem(
                        file,
                        f"adjacent_roles.items.{index}.role",
                        f"no role pack with id {adjacent.role!r}",
                    )
                )
    return problems
