from app import fetch_user
from app.api import fetch_shared


async def view(request):
    await fetch_user(request.user_id)
    return await fetch_shared(request.url)
