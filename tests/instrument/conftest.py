from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from leadwell.instrument import Instrument, load_instrument

#: The released file as it ships in the package (read directly, not through the loader).
V1_PATH = Path(str(resources.files("leadwell.instrument") / "versions" / "v1.toml"))


@pytest.fixture(scope="session")
def v1() -> Instrument:
    return load_instrument("1")


@pytest.fixture(scope="session")
def v1_text() -> str:
    return V1_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def v1_path() -> Path:
    return V1_PATH
