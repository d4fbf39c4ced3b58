from tests.conftest import Chat, text_of


async def test_start_shows_the_menu(chat: Chat) -> None:
    reply = await chat.say("/start")
    assert "Machine Learning Engineer" in text_of(reply)
    assert any("risk" in b.label.lower() for b in reply.all_buttons())
