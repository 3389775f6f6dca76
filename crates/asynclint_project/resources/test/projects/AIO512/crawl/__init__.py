from .fetch import fetch_page
from .limits import *
