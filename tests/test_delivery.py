"""The deliverer's limit on sends at once: never exceeded, first come first served, and a
cancelled waiter neither takes a slot nor loses one."""

from __future__ import annotations

import asyncio

from bot.delivery import Deliverer
from bot.messages import Reply, Target
from tests.conftest import RecordingPlatform


class HeldPlatform(RecordingPlatform):
    """Every send waits for the test to let it through, counting how many wait at once."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.inside = 0
        self.most = 0
        self.order: list[str] = []

    async def send(self, target: Target, reply: Reply) -> None:
        self.inside += 1
        self.most = max(self.most, self.inside)
        self.order.append(target.chat_id)
        await self.gate.wait()
        self.inside -= 1
        await super().send(target, reply)


async def test_the_limit_holds_hands_slots_on_in_order_and_survives_a_cancelled_waiter() -> None:
    platform = HeldPlatform()
    deliverer = Deliverer({"test": platform}, concurrency=2)
    reply = Reply.text("hello")
    sends = [asyncio.ensure_future(deliverer.send(Target("test", str(n)), reply)) for n in range(6)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert platform.inside == 2 and platform.order == ["0", "1"]
    sends[2].cancel()  # waiting for a slot: it must not take one, nor keep one
    await asyncio.gather(sends[2], return_exceptions=True)
    platform.gate.set()
    outcomes = await asyncio.gather(*(s for n, s in enumerate(sends) if n != 2))
    assert [o.status for o in outcomes] == ["sent"] * 5
    assert platform.most == 2
    assert platform.order == ["0", "1", "3", "4", "5"]
    assert deliverer.limit.free == 2 and not deliverer.limit.queue


async def test_a_slot_handed_to_a_waiter_as_it_is_cancelled_goes_to_the_next() -> None:
    limit = Deliverer({}, concurrency=1).limit
    limit.free -= 1  # one send holds the only slot
    first = asyncio.ensure_future(limit.wait())
    second = asyncio.ensure_future(limit.wait())
    await asyncio.sleep(0)
    limit.release()  # the slot goes to the first waiter…
    first.cancel()  # …which is cancelled before it runs
    await asyncio.gather(first, return_exceptions=True)
    await asyncio.sleep(0)
    assert second.done() and not second.cancelled()
    assert limit.free == 0 and not limit.queue
    limit.release()
    assert limit.free == 1
