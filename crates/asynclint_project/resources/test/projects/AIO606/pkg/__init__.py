from .streams import tail as tail_lines
