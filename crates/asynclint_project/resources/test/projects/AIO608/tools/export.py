import asyncio
import sys

from app import db as database

if __name__ == "__main__":
    print(asyncio.run(database.export(sys.argv[1])))
