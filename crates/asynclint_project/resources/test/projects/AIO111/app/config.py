import json
import time


def load_config(path):
    with open(path) as f:
        return json.load(f)


def retry_forever(fn):
    while True:
        try:
            return fn()
        except OSError:
            time.sleep(1)


def pure(x):
    return x * 2


def recursive_a(n):
    return recursive_b(n - 1) if n else 0


def recursive_b(n):
    return recursive_a(n)


def sleep(seconds):
    time.sleep(seconds)
