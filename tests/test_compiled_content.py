"""The compiled content index: packs read from it behave exactly like packs read from YAML, and
it never hides a change to a pack or a broken pack."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import content.loader
from bot.app import CareerBot
from bot.messages import Inbound
from content.loader import COMPILED_NAME, DEFAULT_ROLES_DIR, ContentError, load_library
from tests.conftest import RecordingPlatform, settings_for, text_of

MLE = "machine-learning-engineer.yaml"


@pytest.fixture
def roles(tmp_path: Path) -> Path:
    folder = tmp_path / "roles"
    shutil.copytree(DEFAULT_ROLES_DIR, folder)
    return folder


def _no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(files: list[Path]) -> None:
        raise AssertionError("the packs were parsed from YAML again")

    monkeypatch.setattr(content.loader, "_load_files", refuse)


def test_compiled_packs_equal_the_yaml_packs(
    roles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    eager = load_library(roles)
    first = load_library(roles, tmp_path / "data")  # parses YAML and writes the index
    assert (tmp_path / "data" / COMPILED_NAME).exists()
    _no_yaml(monkeypatch)
    compiled = load_library(roles, tmp_path / "data")
    for library in (first, compiled):
        assert library.packs == eager.packs
        assert library.names == eager.names
        assert library.default.id == eager.default.id


async def test_a_bot_on_compiled_packs_answers_like_one_on_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = ["/risk", "/certs", "/roles", "will AI replace ML engineers?", "/faq llm eng"]

    async def answers(data_dir: Path) -> list[str]:
        bot = CareerBot(settings_for(data_dir))
        await bot.start()
        platform = RecordingPlatform()
        try:
            return [
                text_of(await bot.feed(Inbound("test", "u", "u", text=q), platform))
                for q in questions
            ]
        finally:
            await bot.stop()

    from_yaml = await answers(tmp_path)
    _no_yaml(monkeypatch)
    assert await answers(tmp_path) == from_yaml


def test_an_edited_pack_is_read_again(roles: Path, tmp_path: Path) -> None:
    load_library(roles, tmp_path)
    path = roles / MLE
    data = yaml.safe_load(path.read_text())
    data["summary"] = "A summary edited after the index was compiled."
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    library = load_library(roles, tmp_path)
    assert library.get("mle").summary == "A summary edited after the index was compiled."


def test_a_broken_pack_is_never_hidden_by_the_index(roles: Path, tmp_path: Path) -> None:
    load_library(roles, tmp_path)
    (roles / MLE).write_text("id: mle\ntitle: [unclosed\n")
    with pytest.raises(ContentError) as caught:
        load_library(roles, tmp_path)
    assert caught.value.problems[0].file == MLE


def test_a_damaged_index_falls_back_to_the_yaml(roles: Path, tmp_path: Path) -> None:
    expected = load_library(roles, tmp_path).packs
    index = tmp_path / COMPILED_NAME
    index.write_text(index.read_text()[:1000])
    assert load_library(roles, tmp_path).packs == expected
    assert load_library(roles, tmp_path).packs == expected  # and the index was rewritten


def test_every_module_with_pack_models_is_part_of_the_key() -> None:
    """A model changed in a module the key leaves out would be served from a stale index."""
    from content.packbase import Strict

    def subclasses(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    defining = {cls.__module__ for cls in subclasses(Strict)}
    assert defining <= {m.__name__ for m in content.loader.SCHEMA_MODULES}
