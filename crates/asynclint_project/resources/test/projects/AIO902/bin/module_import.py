import asyncio

import service.app as app_mod


def cli():
    asyncio.run(app_mod.main())  # error: [service-without-signal-handling]
