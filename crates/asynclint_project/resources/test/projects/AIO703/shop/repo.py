async def fetch_order(order_id):
    return {"id": order_id}


def fetch_order_sync(order_id):
    return {"id": order_id}


class Repository:
    async def save(self, order):
        return order

    def validate(self, order):
        return True


class CachedRepository(Repository):
    pass


async def stream_orders():
    yield 1
