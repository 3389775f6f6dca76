from app.db import get_user


async def handle(request):
    return await get_user(request.dsn, request.user_id)
