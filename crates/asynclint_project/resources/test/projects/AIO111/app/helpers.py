from . import config

__all__ = ["read_template", "render"]


def read_template(name):
    return config.load_config(name + ".json")


def render(name):
    return read_template(name)["body"]


def _private():
    return config.pure(1)
