"""Write slots: a cap on writes in flight that never holds back a read."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from interfaces.http.intake import Intake


def test_writes_beyond_the_slots_wait_and_reads_pass_them() -> None:
    inside = {"now": 0, "most": 0}
    release = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["method"] == "POST":
            inside["now"] += 1
            inside["most"] = max(inside["most"], inside["now"])
            await release.wait()
            inside["now"] -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def scenario() -> tuple[list[int], int]:
        transport = httpx.ASGITransport(app=Intake(app, slots=3))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://jaga"
        ) as client:
            writes = [
                asyncio.create_task(client.post("/api/v1/x", json={}))
                for _ in range(10)
            ]
            await asyncio.sleep(0.05)
            assert inside["now"] == 3  # the other seven wait for a slot
            read = await asyncio.wait_for(client.get("/api/v1/sites"), timeout=2)
            release.set()
            done = await asyncio.gather(*writes)
            return [r.status_code for r in done], read.status_code

    statuses, read_status = asyncio.run(scenario())
    assert read_status == 200
    assert statuses == [200] * 10
    assert inside["most"] == 3


def test_a_slow_body_holds_no_slot_and_times_out_with_408() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def slowly() -> Any:
        yield b'{"a": '
        await asyncio.sleep(5)
        yield b"1}"

    async def scenario() -> tuple[int, int, float]:
        gate = Intake(app, slots=1, body_seconds=0.5)
        transport = httpx.ASGITransport(app=gate)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://jaga"
        ) as client:
            slow = asyncio.create_task(client.post("/api/v1/x", content=slowly()))
            await asyncio.sleep(0.1)
            started = asyncio.get_running_loop().time()
            quick = await asyncio.wait_for(client.post("/api/v1/x", json={}), 2)
            took = asyncio.get_running_loop().time() - started
            return (
                (await asyncio.wait_for(slow, 2)).status_code,
                quick.status_code,
                took,
            )

    slow_status, quick_status, took = asyncio.run(scenario())
    assert quick_status == 200 and took < 0.3  # the one slot was free
    assert slow_status == 408


def test_a_client_that_does_not_read_its_answer_holds_no_slot() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"{}" * 100_000})

    def request() -> tuple[dict[str, Any], Any]:
        scope = {"type": "http", "method": "POST", "path": "/api/v1/x", "headers": []}

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"{}", "more_body": False}

        return scope, receive

    async def scenario() -> list[int]:
        gate = Intake(app, slots=1)
        never = asyncio.Event()

        async def stuck(message: Any) -> None:
            await never.wait()  # the client's window is full: send blocks

        statuses: list[int] = []

        async def reads(message: Any) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        slow = asyncio.create_task(gate(*request(), stuck))
        await asyncio.sleep(0.05)
        await asyncio.wait_for(gate(*request(), reads), timeout=2)
        slow.cancel()
        return statuses

    assert asyncio.run(scenario()) == [201]
