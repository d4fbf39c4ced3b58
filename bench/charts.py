"""Charts benchmark: what a picture costs, and what it costs the replies around it.

    .venv/bin/python -m bench.charts [--renders 40] [--messages 3000] [--rounds 5]

1. Render time per chart kind, p50/p99: *cold* (a spec never drawn before, drawn in this
   process by matplotlib: what the render process spends), *cold end to end* (through
   ChartService and its render process, as a reply waits for a follow-up picture) and *cached*
   (ChartService.attach finding the picture: what a message pays once it is drawn).
2. The router's /risk throughput with charts on (picture cached) and off, in interleaved rounds
   of one run, so both see the same machine.
3. The event loop's longest stall while charts are drawn: a 1 ms ticker runs while the service
   draws cold charts, once with the render process and once with a thread (for contrast).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from bench.router import NullPlatform, measure, pct
from bot.app import CareerBot, freeze_heap
from bot.charts.draw import render
from bot.charts.service import ChartService, render_in_worker
from bot.charts.specs import ChartSpec, Factor, PlanChart, ProgressChart, RiskChart
from bot.config import Settings
from bot.messages import Inbound, Reply, Target
from domain.studyplan import build_plan

DOMAINS = (("Data preparation", 28.0), ("Modelling", 26.0), ("Deployment", 22.0), ("Ops", 24.0))


def risk(i: int) -> RiskChart:
    r, a, j = 1 + i % 10, 1 + (i // 10) % 10, 1 + (i // 100) % 10
    score = round(((0.35 * r + 0.35 * a + 0.30 * (11 - j)) - 1) / 9 * 100)
    level = "low" if score < 30 else "high" if score > 70 else "medium"
    factors = (Factor("Repetitiveness", r), Factor("AI adoption", a), Factor("Judgement", j, True))
    return RiskChart(f"Risk score: role {i}", factors, score, level, "Risk score")


def plan(i: int) -> PlanChart:
    start = date(2026, 12, 1) + timedelta(days=i % 3650)
    built = build_plan(DOMAINS, start, start + timedelta(weeks=8 + i % 20))
    done, today = frozenset(range(1, 1 + i % 6)), start + timedelta(weeks=3)
    return PlanChart.of(f"Study plan {i}", built.weeks, built.exam, today, done)


def progress(i: int) -> ProgressChart:
    weeks = 4 + i % 30
    return ProgressChart(f"Progress {i}", weeks, frozenset(range(1, weeks, 2)), i % 4)


KINDS: dict[str, Callable[[int], ChartSpec]] = {"risk": risk, "plan": plan, "progress": progress}


def _reply(spec: ChartSpec) -> Reply:
    reply = Reply.text("text")
    reply.chart = spec
    return reply


async def render_times(renders: int) -> None:
    print(
        f"{'chart':9} {'cold p50':>9} {'cold p99':>9} {'cold cpu':>9} {'e2e p50':>9}"
        f" {'e2e p99':>9} {'cached p50':>11} {'cached p99':>11} {'PNG KB':>7}"
    )
    charts = ChartService()
    await charts.image(progress(10**6))  # start the render process first: not a chart's cost
    target = Target("bench", "chat")
    for name, make in KINDS.items():
        render(make(10**5))  # first use of this kind in this process (fonts, text layout)
        cold, cpu, sizes = [], [], []
        for i in range(renders):
            t0, c0 = time.perf_counter(), time.process_time()
            png = render(make(i))
            cold.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            sizes.append(len(png))
        e2e = []
        for i in range(renders):
            spec = make(renders + i)
            t0 = time.perf_counter()
            assert await charts.image(spec) is not None
            e2e.append(time.perf_counter() - t0)
        spec = make(renders)  # drawn above: now in the cache
        cached = []
        for _ in range(10_000):
            reply = _reply(spec)
            t0 = time.perf_counter()
            charts.attach(reply, target)
            cached.append(time.perf_counter() - t0)
            assert reply.image is not None
        print(
            f"{name:9} {pct(cold, 0.5):7.1f}ms {pct(cold, 0.99):7.1f}ms {pct(cpu, 0.5):7.1f}ms"
            f" {pct(e2e, 0.5):7.1f}ms"
            f" {pct(e2e, 0.99):7.1f}ms {pct(cached, 0.5) * 1000:9.2f}µs"
            f" {pct(cached, 0.99) * 1000:9.2f}µs {max(sizes) / 1024:7.0f}"
        )


async def risk_throughput(messages: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bots = {}
        for on in (True, False):
            settings = Settings.model_validate(
                {
                    "data_dir": Path(tmp) / str(on),
                    "flood_burst": 10**9,
                    "database_url": None,
                    "charts": on,
                }
            )
            bots[on] = CareerBot(settings)
            await bots[on].start()
        make = lambda u: Inbound("bench", u, u, text="/risk")  # noqa: E731
        for bot in bots.values():  # warm-up: people exist, the risk chart is drawn
            await measure(bot, make, 200)
            reply = await bot.feed(make("user0"), NullPlatform())
            await bot.charts.follow_up(reply)
        results: dict[bool, list[float]] = {True: [], False: []}
        totals = {True: 0.0, False: 0.0}
        for index in range(rounds):
            for on in (False, True) if index % 2 else (True, False):
                total, latencies = await measure(bots[on], make, messages)
                totals[on] += total
                results[on] += latencies
        with_image = await bots[True].feed(make("user0"), NullPlatform())
        assert with_image is not None and with_image.image is not None
        print(f"\n/risk through the router ({rounds} interleaved rounds of {messages})")
        print(f"{'charts':8} {'msgs/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for on in (False, True):
            rate = messages * rounds / totals[on]
            lat = results[on]
            print(
                f"{'on' if on else 'off':8} {rate:8.0f} {pct(lat, 0.5):8.3f} {pct(lat, 0.99):8.3f}"
            )
        added = (totals[True] - totals[False]) / (messages * rounds) * 1000
        print(f"added per message with charts on (cached): {added:+.3f} ms")
        for bot in bots.values():
            await bot.stop()


async def loop_stall(
    renders: int, executor: Executor | None, label: str, idle: float = 0.0
) -> float:
    """How late a 1 ms ticker ran while ``renders`` cold charts were drawn (p99 and worst);
    with ``renders=0`` it only idles for ``idle`` seconds: the machine's own noise, measured
    over the same length of time. Returns the seconds it ran."""
    renderer = render_in_worker if executor is None else render
    charts = ChartService(executor=executor, renderer=renderer)
    if renders:
        await charts.image(progress(2 * 10**6))  # warm: process started, matplotlib imported
    late: list[float] = []
    running = True

    async def ticker() -> None:
        while running:
            t0 = time.perf_counter()
            await asyncio.sleep(0.001)
            late.append(time.perf_counter() - t0 - 0.001)

    task = asyncio.ensure_future(ticker())
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    for i in range(renders):
        reply = _reply(KINDS[("risk", "plan", "progress")[i % 3]](3 * 10**6 + i))
        charts.attach(reply, Target("bench", "chat"))
        await charts.follow_up(reply)
    if not renders:
        await asyncio.sleep(idle)
    elapsed = time.perf_counter() - started
    running = False
    await task
    print(
        f"{label:28} {renders:3} renders {elapsed:6.2f} s  loop late p99 {pct(late, 0.99):6.2f} ms"
        f"  worst {max(late) * 1000:7.2f} ms"
    )
    return elapsed


async def main(renders: int, messages: int, rounds: int) -> None:
    freeze_heap()  # as `careerbot run` and the render process do once started
    await render_times(renders)
    await risk_throughput(messages, rounds)
    print()
    freeze_heap()  # again: the bots built above are long-lived too, as after a bot's start-up
    took = await loop_stall(renders, None, "render process (shipped)")
    await loop_stall(0, None, "no renders (machine noise)", idle=took)
    with ThreadPoolExecutor(1) as pool:
        await loop_stall(renders, pool, "thread (for contrast)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=40)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.renders, args.messages, args.rounds))
