"""Broken role packs stop start-up with the file, the field and the problem."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from content.loader import DEFAULT_ROLES_DIR, ContentError, load_library

MLE = DEFAULT_ROLES_DIR / "machine-learning-engineer.yaml"


@pytest.fixture
def roles(tmp_path: Path) -> Path:
    folder = tmp_path / "roles"
    shutil.copytree(DEFAULT_ROLES_DIR, folder)
    return folder


def edit(folder: Path, change) -> None:
    path = folder / MLE.name
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def problems(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_library(folder)
    return [str(p) for p in caught.value.problems]


def test_missing_field_names_file_and_field(roles: Path) -> None:
    edit(roles, lambda d: d.pop("summary"))
    assert problems(roles) == ["machine-learning-engineer.yaml: summary: Field required"]


def test_wrong_type_names_the_nested_field(roles: Path) -> None:
    edit(roles, lambda d: d["risk"]["factors"]["ai_adoption"].update(score="very high"))
    [problem] = problems(roles)
    assert problem.startswith("machine-learning-engineer.yaml: risk.factors.ai_adoption.score:")
    assert "integer" in problem


def test_out_of_range_factor(roles: Path) -> None:
    edit(roles, lambda d: d["risk"]["factors"]["repetitiveness"].update(score=11))
    assert "less than or equal to 10" in problems(roles)[0]


def test_score_that_does_not_follow_the_formula(roles: Path) -> None:
    edit(roles, lambda d: d["risk"].update(score=12))
    assert "does not follow the formula; it should be 46" in problems(roles)[0]


def test_duplicate_faq_ids(roles: Path) -> None:
    def duplicate(d: dict) -> None:
        d["faqs"]["items"][1]["id"] = d["faqs"]["items"][0]["id"]

    edit(roles, duplicate)
    [problem] = problems(roles)
    assert problem.startswith("machine-learning-engineer.yaml: faqs:")
    assert "duplicate faq id" in problem


def test_duplicate_role_ids_across_files(roles: Path) -> None:
    text = (roles / "ai-engineer.yaml").read_text().replace("id: ai-eng\n", "id: llm-eng\n", 1)
    (roles / "ai-engineer.yaml").write_text(text)
    assert any("duplicate role id 'llm-eng'" in p for p in problems(roles))


def test_unknown_key_and_unknown_source_are_errors(roles: Path) -> None:
    edit(roles, lambda d: d["tasks_at_risk"].update(sources=["nowhere"], colour="red"))
    found = problems(roles)
    assert (
        "machine-learning-engineer.yaml: tasks_at_risk.colour: Extra inputs are not permitted"
        in found
    )


def test_invalid_yaml_names_the_line(roles: Path) -> None:
    (roles / "broken.yaml").write_text("id: x\ntitle: [unclosed\n")
    assert any(p.startswith("broken.yaml: line ") for p in problems(roles))


def test_every_problem_in_every_file_is_reported_at_once(roles: Path) -> None:
    edit(roles, lambda d: d.pop("title"))
    (roles / "ai-engineer.yaml").write_text("just a string")
    found = problems(roles)
    assert any(p.startswith("machine-learning-engineer.yaml: title") for p in found)
    assert any(p.startswith("ai-engineer.yaml: (top level)") for p in found)


def test_content_check_command(roles: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "bot.cli", "content", "check"], capture_output=True, text=True
    )
    assert ok.returncode == 0 and "6 role packs valid" in ok.stdout
    edit(roles, lambda d: d["risk"]["factors"]["ai_adoption"].update(score="high"))
    bad = subprocess.run(
        [sys.executable, "-m", "bot.cli", "content", "check", "--dir", str(roles)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "machine-learning-engineer.yaml: risk.factors.ai_adoption.score:" in bad.stderr


def test_an_impossible_date_names_file_field_and_problem(roles: Path) -> None:
    path = roles / MLE.name
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("reviewed: 2026-", "reviewed: 2026-02-31 #", 1), encoding="utf-8")
    [problem] = problems(roles)
    assert problem.startswith("machine-learning-engineer.yaml: reviewed:")
    assert "day value is outside expected range" in problem
    checked = subprocess.run(
        [sys.executable, "-m", "bot.cli", "content", "check", "--dir", str(roles)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert "machine-learning-engineer.yaml: reviewed:" in checked.stderr
