"""Every Python code block of the README, the Python guide and docs/grants.md runs, as
written: each file's blocks in order, in one namespace (a guide builds on its
earlier blocks)."""

import os
import re

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
GUIDES = ["README.md", "bindings-python/README.md", "docs/grants.md"]


def blocks(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return re.findall(r"^```python\n(.*?)^```", f.read(), re.S | re.M)


@pytest.mark.parametrize("path", GUIDES)
def test_guide_blocks_run_in_order(path):
    found = blocks(path)
    assert found, f"{path} has no Python blocks"
    namespace = {"__name__": "guide"}
    for i, code in enumerate(found, 1):
        exec(compile(code, f"{path} block {i}", "exec"), namespace)
