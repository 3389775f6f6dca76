from .config import load_config as load_settings
from .helpers import *

__all__ = ["load_settings", "read_template"]
