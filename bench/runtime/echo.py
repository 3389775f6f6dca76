"""HTTP/1.1 echo on loopback: a server and 50 keep-alive clients in one event loop, 20k
requests in all. Uses aiohttp when it is installed (`--aiohttp`), else asyncio streams with a
minimal HTTP parser, so the benchmark runs on a bare CPython."""

import asyncio
import json
import sys
import time

CLIENTS = 50
REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 20_000
USE_AIOHTTP = "--aiohttp" in sys.argv
BODY = b"x" * 64


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def client(port, count):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY
    for _ in range(count):
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0])
        assert await reader.readexactly(length) == BODY
    writer.close()
    await writer.wait_closed()


async def streams():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    per_client = REQUESTS // CLIENTS
    await asyncio.gather(*(client(port, per_client) for _ in range(CLIENTS)))
    server.close()
    await server.wait_closed()


async def with_aiohttp():
    from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

    async def echo(request):
        return web.Response(body=await request.read())

    app = web.Application()
    app.router.add_post("/echo", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    url = "http://127.0.0.1:%d/echo" % port
    per_client = REQUESTS // CLIENTS

    async def one(session):
        for _ in range(per_client):
            async with session.post(url, data=BODY) as response:
                assert await response.read() == BODY

    connector = TCPConnector(limit=CLIENTS)
    async with ClientSession(connector=connector, timeout=ClientTimeout(total=60)) as session:
        await asyncio.gather(*(one(session) for _ in range(CLIENTS)))
    await runner.cleanup()


started = time.perf_counter()
cpu = time.process_time()
asyncio.run(with_aiohttp() if USE_AIOHTTP else streams())
name = "echo-aiohttp" if USE_AIOHTTP else "echo-streams"
print(
    json.dumps(
        {
            "workload": name,
            "n": REQUESTS,
            "seconds": time.perf_counter() - started,
            "cpu": time.process_time() - cpu,
        }
    )
)
