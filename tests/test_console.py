"""The terminal chat as a person (or a script) uses it: a real subprocess on a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.adapters.console import render
from bot.messages import Button, Reply, Section
from content.loader import COMPILED_NAME


def chat(data_dir: Path, script: str, charts: bool = False) -> subprocess.CompletedProcess[str]:
    """Run `careerbot chat` with ``script`` piped in, working in the data dir's parent."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")}
    env.pop("DATABASE_URL", None)
    env["CAREERBOT_DATA_DIR"] = str(data_dir)
    env["CAREERBOT_CHARTS"] = "1" if charts else "0"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=data_dir.parent,
        timeout=120,
    )


def test_scripted_session_gives_sensible_answers(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/start",
            "1",  # the AI automation risk button
            "/tasks",
            "/plan",
            "will AI replace ML engineers?",
            "/certs",
            "/forget",
            "1",  # yes, delete everything
        ]
    )
    result = chat(tmp_path, script + "\n")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "[1] AI automation risk" in out
    assert "46/100: medium AI automation risk" in out
    assert "Tasks at risk: Machine Learning Engineer\n────" in out and "Your protection plan" in out
    assert "Is AI going to replace machine learning engineers?" in out
    assert "Certification roadmap" in out and "Retired on" in out
    assert "everything I stored about you is deleted" in out
    assert "Traceback" not in result.stderr


def test_choices_persist_between_runs(tmp_path: Path) -> None:
    chat(tmp_path, "/roles ai engineer\n")
    second = chat(tmp_path, "/start\n")
    assert "AI Engineer\n───" in second.stdout


def test_end_of_input_without_newline_and_quit(tmp_path: Path) -> None:
    assert chat(tmp_path, "/risk").returncode == 0
    result = chat(tmp_path, "quit\n/risk\n")
    assert result.returncode == 0 and "46/100" not in result.stdout


def test_a_number_with_no_menu_gets_a_pointer_to_start(tmp_path: Path) -> None:
    result = chat(tmp_path, "7\n")
    assert "There is no menu to choose from yet" in result.stdout


def test_render_numbers_buttons_and_wraps() -> None:
    reply = Reply(
        title="Title",
        sections=[Section(heading="H", bullets=["word " * 40])],
        buttons=[[Button("One", "v1:a"), Button("Two", "v1:b")], [Button("Three", "v1:c")]],
    )
    text = render(reply)
    assert "[1] One" in text and "[3] Three" in text
    assert all(len(line) <= 88 for line in text.splitlines())


def test_a_long_piped_script_is_answered_line_by_line(tmp_path: Path) -> None:
    result = chat(tmp_path, "/help\n" * 20)
    assert result.stdout.count("How to use careerbot\n───") == 20
    assert "faster than I can answer" not in result.stdout


def test_numbers_out_of_range_and_menus_across_runs(tmp_path: Path) -> None:
    first = chat(tmp_path, "/start\n99\n")
    assert "There is no choice 99: type a number from 1 to 13." in first.stdout
    second = chat(tmp_path, "1\n")  # the menu of the last run is still there
    assert "46/100" in second.stdout


def test_mydata_file_is_saved_where_the_person_works_not_kept_by_the_bot(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = chat(data_dir, "/mydata\n/forget\n1\n")
    assert (tmp_path / "careerbot-mydata.json").exists()
    assert "file saved" in result.stdout
    kept = [p.name for p in data_dir.rglob("*.json") if p.name != COMPILED_NAME]
    assert kept == [], "after /forget not even the terminal's saved menu is left"


def test_charts_are_saved_beside_other_files_and_the_text_stays(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = chat(data_dir, "/risk\n/risk\n", charts=True)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("46/100: medium AI automation risk") == 2, (
        "the text answer is complete either way"
    )
    saved = tmp_path / "risk-ai-automation-risk-score-machine-learning-engineer.png"
    assert out.count(f"(chart saved: {saved} — Bar chart.") == 2
    assert saved.read_bytes().startswith(b"\x89PNG")
    # The first answer's text came before its picture; the second had it at once, on top.
    first, second = out.split("> /risk")[1:]
    assert first.index("46/100") < first.index("chart saved")
    assert second.index("46/100") < second.index("chart saved")


def test_a_menu_of_one_button_asks_for_1_not_a_range(tmp_path: Path) -> None:
    script = "/goal\nmla-c01\nno date\ntuesday 19:30\nBerlin\n1\n/nudges\n5\n"
    result = chat(tmp_path, script)
    assert "There is no choice 5: type 1." in result.stdout, result.stdout[-600:]


def test_a_number_typed_for_a_typed_question_is_an_answer(tmp_path: Path) -> None:
    script = "/goal\nmla-c01\nno date\nsaturday evening\n7\nBerlin\n/start\n99\n"
    result = chat(tmp_path / "data", script)
    assert "Every Saturday at 19:00" in result.stdout, result.stdout[-800:]
    assert "There is no choice 7" not in result.stdout
    assert "There is no choice 99" in result.stdout, "a menu's numbers are still choices"


def test_a_menu_saved_by_an_older_version_still_works(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    chat(data_dir, "/start\n")
    [saved] = list(data_dir.rglob("*menu*.json"))
    saved.write_text('[{"label": "AI automation risk", "action": "v1:risk:mle"}]')
    assert "46/100" in chat(data_dir, "1\n").stdout
