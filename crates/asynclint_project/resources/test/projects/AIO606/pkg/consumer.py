import contextlib
import importlib

import pkg.streams as s
from other import streams as other_streams
from other.streams import tail as plain_tail
from pkg import tail_lines
from pkg.streams import Reader, numbers, rows
from pkg.streams import tail as follow


async def find_error(path):
    async for line in follow(path):  # error: [async-generator-not-closed]
        if "ERROR" in line:
            return line
    async for line in tail_lines(path):  # error: [async-generator-not-closed]
        if "FATAL" in line:
            break
    async for line in s.tail(path):  # error: [async-generator-not-closed]
        if not line.strip():
            raise ValueError("blank line")
    return None


async def first_row(pool):
    async for row in rows(pool, "SELECT 1"):  # error: [async-generator-not-closed]
        return row
    reader = Reader()
    async for chunk in reader.chunks():  # error: [async-generator-not-closed]
        if chunk:
            break
    return None


# must not trigger


async def reads_everything(path, pool):
    lines = []
    async for line in follow(path):
        lines.append(line)
    async for row in rows(pool, "SELECT 1"):
        lines.append(row)
    return lines


async def closed_properly(path):
    async with contextlib.aclosing(follow(path)) as lines:
        async for line in lines:
            if line:
                return line
    return None


async def no_resource():
    async for n in numbers():
        if n:
            return n
    return None


async def same_name_elsewhere(path):
    async for line in plain_tail(path):
        return line
    async for line in other_streams.tail(path):
        break
    return None


async def shadowed(follow, path):
    async for line in follow(path):
        return line
    return None


async def dynamic(name, path):
    module = importlib.import_module(name)
    async for line in module.tail(path):
        return line
    async for line in getattr(s, name)(path):
        return line
    return None


async def unknown_objects(client):
    async for chunk in client.chunks():
        return chunk
    return None
