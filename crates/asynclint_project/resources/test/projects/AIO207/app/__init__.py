from .streams import stream_rows as rows
from .db import *
