"""Shared helpers of the Python suite."""

import json
import os

import pytest

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "vectors")


def load(name):
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def keys():
    return load("keys.json")["keys"]
