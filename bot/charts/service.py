"""Rendering charts without ever holding up a reply.

- **Off the event loop**: renders run in one worker *process* (matplotlib holds the GIL while it
  draws, so a thread would stall the loop for the length of a render); the loop only pickles a
  small spec and receives the PNG bytes.
- **Cached by content**: the spec is the key. A role's risk chart is drawn once per content
  version, a plan chart once per change to the plan, today's date or the weeks done.
- **The text never waits**: :meth:`ChartService.attach` puts a cached picture into the reply at
  once; on a miss it starts the render and the reply goes out as text. The adapter then asks
  :meth:`ChartService.follow_up` for the picture and sends it as its own message when it is
  ready, or nothing if the render fails or takes longer than ``timeout`` (logged once).
- **Refused pictures**: when a platform refuses an image (too big, or a right is missing in
  that chat) the adapter sends :func:`without_picture` instead: the text, plus one note naming
  the missing right for the chat's moderators; that chat then gets text alone for a while.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import replace

from bot.charts.specs import ChartSpec
from bot.messages import Image, Reply, Section, Target

log = logging.getLogger("careerbot.charts")

Renderer = Callable[[ChartSpec], bytes]

_pool: concurrent.futures.ProcessPoolExecutor | None = None


def render_in_worker(spec: ChartSpec) -> bytes:
    """The default renderer; imported lazily so matplotlib loads only in the worker."""
    from bot.charts.draw import render

    return render(spec)


def _exit_with(parent: int) -> None:
    """Leave when the bot process is gone, however it went (Ctrl-C's immediate exit, SIGKILL):
    nothing else tells an idle worker, and it would otherwise wait on its queue for ever."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _warm_worker(parent: int) -> None:
    # The bot's pid comes from the bot itself: a worker that starts after the bot died must
    # not take its new parent (init) for the bot and wait for ever.
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    # The worker shares the bot's stderr: matplotlib's notices (such as building its font
    # cache on a fresh machine) must not land between the bot's own lines.
    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    import bot.charts.draw  # noqa: F401  (import matplotlib and build its font cache once)

    # matplotlib's modules stay for the worker's life: keep full collections from walking
    # them again during every draw (a 100 ms tail on a cold chart before this).
    gc.collect()
    gc.freeze()


def shared_pool() -> Executor:
    """One render process per bot process, started on first use ("spawn": safe beside the
    event loop's threads, and the worker holds only what drawing needs)."""
    global _pool
    if _pool is None:
        _pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm_worker,
            initargs=(os.getpid(),),
        )
    return _pool


def _reset_pool(broken: Executor) -> None:
    global _pool
    if _pool is broken:
        _pool = None


class ChartService:
    def __init__(
        self,
        enabled: bool = True,
        *,
        timeout: float = 10.0,
        cache_size: int = 256,
        renderer: Renderer = render_in_worker,
        executor: Executor | None = None,
        refusal_seconds: float = 3600.0,
        retry_failed_after: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self.timeout = timeout
        self.cache_size = cache_size
        self.renderer = renderer
        self._executor = executor
        self.refusal_seconds = refusal_seconds
        self.retry_failed_after = retry_failed_after
        self.clock = clock
        self._cache: OrderedDict[ChartSpec, Image] = OrderedDict()
        self._pending: dict[ChartSpec, asyncio.Future[Image | None]] = {}
        self._failed: dict[ChartSpec, float] = {}
        self._refused: OrderedDict[Target, float] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self.renders = 0
        """Renders started (a cache miss each); tests and the benchmark read it."""

    @property
    def executor(self) -> Executor:
        return self._executor or shared_pool()

    # ------------------------------------------------------------------ the reply path

    def attach(self, reply: Reply | None, target: Target) -> None:
        """Give ``reply`` its picture now if it is cached; otherwise start drawing it."""
        if reply is None or reply.chart is None or reply.image is not None:
            return
        if not self.enabled or self._refused_in(target):
            reply.chart = None
            return
        spec = reply.chart
        cached = self._cache.get(spec)
        if cached is not None:
            self._cache.move_to_end(spec)
            reply.image = cached
            return
        self._start(spec)

    async def follow_up(self, reply: Reply | None) -> Reply | None:
        """The picture ``reply`` went out without, as a message of its own once it is drawn;
        None when there is none to send (no chart, already attached, failed or too slow)."""
        if reply is None or reply.chart is None or reply.image is not None:
            return None
        image = await self.image(reply.chart)
        if image is None:
            return None
        return Reply(image=image, personal=reply.personal)

    async def image(self, spec: ChartSpec) -> Image | None:
        """The picture of ``spec``, drawing it if needed; None if drawing failed or timed out."""
        cached = self._cache.get(spec)
        if cached is not None:
            return cached
        future = self._start(spec)
        if future is None:
            return None
        return await asyncio.shield(future)

    def warm(self, specs: Iterable[ChartSpec]) -> None:
        """Start drawing ``specs`` in the background (e.g. every role's risk card at start-up),
        so the first person to ask gets the picture with the text."""
        if not self.enabled:
            return
        for spec in specs:
            if spec not in self._cache:
                self._start(spec)

    # ------------------------------------------------------------------ rendering

    def _start(self, spec: ChartSpec) -> asyncio.Future[Image | None] | None:
        pending = self._pending.get(spec)
        if pending is not None:
            return pending
        failed_at = self._failed.get(spec)
        if failed_at is not None and self.clock() - failed_at < self.retry_failed_after:
            return None
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Image | None] = loop.create_future()
        self._pending[spec] = future
        self.renders += 1
        task = loop.create_task(self._render(spec, future))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return future

    async def _render(self, spec: ChartSpec, future: asyncio.Future[Image | None]) -> None:
        executor = self.executor
        loop = asyncio.get_running_loop()
        image: Image | None = None
        try:
            png = await asyncio.wait_for(
                loop.run_in_executor(executor, self.renderer, spec), self.timeout
            )
            image = Image(png, spec.alt, spec.filename)
            self._remember(spec, image)
        except TimeoutError:
            self._fail(spec)
            log.warning("chart %s took over %gs; sent without it", spec.filename, self.timeout)
        except concurrent.futures.BrokenExecutor:
            self._fail(spec)
            _reset_pool(executor)
            log.error("the chart process died drawing %s; a new one starts next time", spec.kind)
        except Exception:
            self._fail(spec)
            log.exception("chart %s could not be drawn; sent without it", spec.filename)
        finally:
            self._pending.pop(spec, None)
            if not future.done():
                future.set_result(image)

    def _fail(self, spec: ChartSpec) -> None:
        self._failed[spec] = self.clock()
        if len(self._failed) > self.cache_size:
            self._failed.pop(next(iter(self._failed)))  # the oldest failure may be retried

    def _remember(self, spec: ChartSpec, image: Image) -> None:
        self._failed.pop(spec, None)
        self._cache[spec] = image
        self._cache.move_to_end(spec)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    # ------------------------------------------------------------------ refusals

    def refused(self, target: Target, right: str | None) -> str | None:
        """Record that ``target`` refused a picture; the note for its moderators the first time
        (None after that: the chat gets text alone until ``refusal_seconds`` have passed)."""
        first = not self._refused_in(target)
        self._refused[target] = self.clock() + self.refusal_seconds
        self._refused.move_to_end(target)
        while len(self._refused) > 10_000:
            self._refused.popitem(last=False)
        log.warning("%s refused a chart (%s); sending text alone", target, right or "too large")
        if not first:
            return None
        if right:
            return (
                f"Moderators: the chart for this answer was left out because I lack the "
                f"“{right}” right in this chat. Grant it to see charts here."
            )
        return "The chart for this answer was left out: the platform refused the image."

    def _refused_in(self, target: Target) -> bool:
        until = self._refused.get(target)
        if until is None:
            return False
        if until <= self.clock():
            del self._refused[target]
            return False
        return True


def without_picture(reply: Reply, note: str | None) -> Reply:
    """``reply`` as text alone (it is complete without the picture), with ``note`` added."""
    sections = list(reply.sections)
    if note:
        sections.append(Section(paragraphs=[note]))
    return replace(reply, image=None, chart=None, sections=sections)
