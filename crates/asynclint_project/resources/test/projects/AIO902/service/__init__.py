from .app import main as run_app

__all__ = ["run_app"]
