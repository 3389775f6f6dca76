"""`python -m orders` runs the API and the background worker in one process."""

import asyncio
import logging

from orders.worker import main


def run() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(main())


if __name__ == "__main__":
    run()
