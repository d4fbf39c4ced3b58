"""Loading and validating role packs.

A broken pack must stop start-up with a message a content editor can act on: the file, the field
path and the problem. All problems in all files are collected before failing, so one run of
``careerbot content check`` shows everything that needs fixing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from content.schema import RolePack, slug_words

DEFAULT_ROLES_DIR = Path(__file__).parent / "roles"


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


def load_library(roles_dir: Path = DEFAULT_ROLES_DIR) -> Library:
    """Load every ``*.yaml`` pack; raise :class:`ContentError` listing every problem found."""
    problems: list[PackProblem] = []
    loaded: list[tuple[RolePack, str]] = []
    declared: set[str] = set()
    """Ids of every file, loaded or not, so one broken pack doesn't cascade into others."""
    files = sorted(roles_dir.glob("*.yaml"))
    if not files:
        raise ContentError(
            [PackProblem(str(roles_dir), "(folder)", "no role packs (*.yaml) found")]
        )
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
    return Library([pack for pack, _ in loaded])


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
