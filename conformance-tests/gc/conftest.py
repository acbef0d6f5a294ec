"""Fixtures: a lakecat of its own per test (database and warehouse folder), stopped afterwards."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from server import Stack


@pytest.fixture
def stack() -> Iterator[Stack]:
    s = Stack().start()
    try:
        yield s
    finally:
        s.stop()
