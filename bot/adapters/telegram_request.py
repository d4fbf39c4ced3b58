"""PTB's HTTPX networking backend, sending Bot API parameters as a JSON body.

PTB form-encodes every request (``application/x-www-form-urlencoded``), and the standard
library quotes a form byte by byte in Python: for an answer with a menu (its text and the
keyboard's JSON, ~1.4 kB) that cost more CPU than building the whole reply. The Bot API takes
``application/json`` bodies for every method that uploads no file, and PTB provides the body
itself (:attr:`telegram.request.RequestData.json_payload`: the same parameter values it would
have form-encoded, JSON-serialised fields included, as JSON strings). The Bot API server takes
a string value as the field's text, exactly as a form field (tdlib's
``HttpReader::parse_json_parameters``). Requests that upload files (photos, documents) stay
multipart, through PTB's own code. The pool, timeouts, proxies, start and shutdown, reading
the answer and mapping Telegram's error answers stay PTB's
(:class:`~telegram.request.HTTPXRequest`, whose client this reuses); what is repeated here is
only PTB's mapping of httpx's transport failures to ``TimedOut`` and ``NetworkError``, which
tests/adapters/test_telegram_request.py checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput

JSON_HEADERS = {"User-Agent": HTTPXRequest.USER_AGENT, "Content-Type": "application/json"}
_DEFAULT = type(BaseRequest.DEFAULT_NONE)
"""PTB's marker type for "not given for this request": the client's own timeout applies."""


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, _DEFAULT) else value


class JsonBodyRequest(HTTPXRequest):
    """:class:`~telegram.request.HTTPXRequest` whose requests without files carry JSON."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is None or request_data.contains_files:
            return await super().do_request(
                url,
                method,
                request_data,
                read_timeout,
                write_timeout,
                connect_timeout,
                pool_timeout,
            )
        client = self._client
        if client.is_closed:
            raise RuntimeError("This HTTPXRequest is not initialized!")
        defaults = client.timeout
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, defaults.connect),
            read=_given(read_timeout, defaults.read),
            write=_given(write_timeout, defaults.write),
            pool=_given(pool_timeout, defaults.pool),
        )
        try:
            response = await client.request(
                method=method,
                url=url,
                headers=JSON_HEADERS,
                timeout=timeout,
                content=request_data.json_payload,
            )
        except httpx.TimeoutException as err:
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut(
                    message="Pool timeout: all connections in the pool are occupied. The "
                    "request was *not* sent to Telegram."
                ) from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return response.status_code, response.content
