"""The main menu is composed once per role pack and then handed out as fresh lists."""

from __future__ import annotations

from bot import replies
from bot.messages import Button
from content.loader import load_library


def test_each_caller_gets_lists_of_its_own() -> None:
    role = load_library().get("mle")
    assert role is not None
    first = replies.menu_buttons(role)
    first.append([Button("Extra", "v1:extra")])
    first[0].append(Button("Also extra", "v1:extra2"))
    second = replies.menu_buttons(role)
    labels = [b.label for row in second for b in row]
    assert "Extra" not in labels and "Also extra" not in labels
    assert second == replies.menu_buttons(role)
    assert all(len(row) <= 2 for row in second)


def test_a_reloaded_pack_gets_its_own_menu() -> None:
    role = load_library().get("mle")
    assert role is not None and role.salary is not None
    full = [b.label for row in replies.menu_buttons(role) for b in row]
    reloaded = role.model_copy(update={"salary": None})
    fewer = [b.label for row in replies.menu_buttons(reloaded) for b in row]
    assert "Salary" in full and "Salary" not in fewer
    assert "About this role" in fewer, "a pack missing sections offers its About page"
    about = [b.label for row in replies.menu_buttons(reloaded, about_page=True) for b in row]
    assert "About this role" not in about
