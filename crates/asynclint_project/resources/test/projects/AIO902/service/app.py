import asyncio


async def handle(reader, writer):
    writer.close()


async def main():
    while True:
        await asyncio.sleep(60)
        print("heartbeat")


async def serve():
    server = await asyncio.start_server(handle, "0.0.0.0", 8080)
    async with server:
        await server.serve_forever()


async def once():
    await asyncio.sleep(1)
