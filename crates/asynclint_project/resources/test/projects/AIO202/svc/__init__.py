from .health import Probe, is_ready
