def fetch_user(user_id):
    """Same name as app.db.fetch_user, but synchronous."""
    return {"id": user_id}
