"""A small Server-Sent Events reader for tests and benchmarks: frames from lines."""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Frame:
    id: str | None = None
    event: str | None = None
    data: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    retry: int | None = None

    @property
    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads("\n".join(self.data))
        return body


async def frames(lines: AsyncIterable[str]) -> AsyncIterator[Frame]:
    """Frames as the SSE spec splits them: fields up to a blank line."""
    frame = Frame()
    async for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            yield frame
            frame = Frame()
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "":
            frame.comments.append(value)
        elif name == "id":
            frame.id = value
        elif name == "event":
            frame.event = value
        elif name == "data":
            frame.data.append(value)
        elif name == "retry":
            frame.retry = int(value)


async def envelopes(lines: AsyncIterable[str]) -> AsyncIterator[dict[str, Any]]:
    """Only the events, checked for agreement between `id:`/`event:` and the envelope."""
    async for frame in frames(lines):
        if frame.data:
            envelope = frame.envelope
            assert frame.id == str(envelope["id"]), frame
            assert frame.event == envelope["type"], frame
            yield envelope
