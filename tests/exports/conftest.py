"""A closed cycle whose leaders have the rater layouts the privacy rules turn on.

``respond`` (tests/conftest.py) stores a submitted response the way the survey does.
``results`` is a closed cycle of five leaders of Acme:

- Lee: self, manager, 3 peers, 5 direct reports, 2 others (k = 3: "other" is folded with the
  peers into "others"), comments from every group, one starting with "=";
- Ana: self, manager, 2 peers (fewer than k anonymous raters: nothing anonymous is shown);
- Ben: self, 3 peers, 3 direct reports (every group shown on its own);
- Cy: self only;
- Dana: nobody answered.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

LAYOUTS = {
    "Lee": {"self": 1, "manager": 1, "peer": 3, "direct": 5, "other": 2},
    "Ana": {"self": 1, "manager": 1, "peer": 2},
    "Ben": {"self": 1, "peer": 3, "direct": 3},
    "Cy": {"self": 1},
    "Dana": {},
}


@pytest.fixture
def exports_dir(tmp_path, settings):
    settings.LEADWELL_EXPORTS_DIR = tmp_path / "exports"
    return settings.LEADWELL_EXPORTS_DIR


@pytest.fixture
def results(org, people, respond, instrument):
    """The closed cycle described above; answers vary with rater, group and item."""
    from leadwell.cycles.models import Assessment, Cycle

    cycle = Cycle.objects.create(
        organization=org, name="Spring 2026", status=Cycle.CLOSED, closed_at=timezone.now()
    )
    question = instrument.question_ids[0]
    for name, layout in LAYOUTS.items():
        assessment = Assessment.objects.create(organization=org, cycle=cycle, leader=people[name])
        seed = len(name)
        for group, count in layout.items():
            for rater in range(count):
                comment = {question: f"{name} {group} {rater}: keep it up"}
                if name == "Lee" and group == "direct" and rater == 0:
                    comment = {question: '=HYPERLINK("http://x")', "start": "  spaced  "}
                shift = seed + rater + 2 * len(group)
                respond(assessment, group, lambda i, s=shift: 1 + (i * 7 + s) % 5, comment)
    return cycle
