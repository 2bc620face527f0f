"""uvicorn's HTTP protocol with a deadline and a size limit on each request's head (issue 12 row 12).

uvicorn times out an idle kept-alive connection, but not one that is sending its request head:
a client that opens a connection and sends half a request line (or one header byte a minute)
keeps a socket and its buffers for ever, and a few hundred of them use up the worker's file
descriptors. httptools, which uvicorn uses for its speed, has no limit on a head's size either
(h11's ``h11_max_incomplete_event_size`` does not apply to it).

`GuardedHttpToolsProtocol` gives each request `HEAD_SECONDS` from the connection (or, kept
alive, from the request's first byte) to its last header, and refuses a head over
`MAX_HEADER_BYTES`; either way the connection is answered (408, 431) and closed. The body's own
limits are `server.BodyLimit`'s.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_SECONDS = 10.0  # Telegram, nginx and browsers send a head at once; only a stalling client takes longer
MAX_HEADER_BYTES = 16 * 1024  # a Telegram update's head is under 1 KB

_REFUSALS = {
    408: b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
    431: b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
}


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` with a deadline and a size limit on the request head (module docstring)."""

    _head_timer: asyncio.TimerHandle | None = None
    _head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._end_head()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._head_timer is not None and not self.transport.is_closing():
            self._head_bytes += len(data)  # the head is still incomplete after this chunk: all of it was head
            if self._head_bytes > MAX_HEADER_BYTES:
                self._refuse(431)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:  # a kept-alive connection's next request
            self._start_head()

    def on_headers_complete(self) -> None:
        self._end_head()
        super().on_headers_complete()

    def _start_head(self) -> None:
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(HEAD_SECONDS, self._refuse, 408)

    def _end_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, status: int) -> None:
        self._end_head()
        if not self.transport.is_closing():
            self.transport.write(_REFUSALS[status])
            self.transport.close()
