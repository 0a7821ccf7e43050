"""Every Python code block of the project's README runs, as written."""

import os
import re

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def blocks(path, lang):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return re.findall(r"^```" + lang + r"\n(.*?)^```", f.read(), re.S | re.M)


README_BLOCKS = blocks("README.md", "python")


def test_the_readme_has_python_blocks():
    assert README_BLOCKS


@pytest.mark.parametrize("code", README_BLOCKS)
def test_readme_block_runs(code):
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
