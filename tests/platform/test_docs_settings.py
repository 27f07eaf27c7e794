"""Every setting read from the environment is documented in docs/deployment.md (datasette's
rule: docs that a test keeps honest)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_setting_is_in_the_deployment_guide():
    source = (ROOT / "src/leadwell/config/settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env(?:str|bool|int|list|secret)\(\s*"([A-Z_]+)"', source))
    assert len(names) > 15  # the pattern still finds the settings
    guide = (ROOT / "docs/deployment.md").read_text(encoding="utf-8")
    missing = sorted(name for name in names if f"`{name}" not in guide)
    assert not missing, f"undocumented settings: {', '.join(missing)}"
