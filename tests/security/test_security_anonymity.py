"""Anonymity under attack: what an admin or the leader sees cannot tell anonymous raters apart
below the threshold, whichever outputs they hold side by side.

The attacker holds every output at once: the report page as the leader and as an admin, the
page the PDF is printed from (and, in the fixed cases, the PDF's text), the API's report
object, the cycle's export as CSV, XLSX and JSON with the raw responses, the API's results,
and the org insights of both cycles. Holding them together covers differencing two outputs;
holding two cycles of the same leader, the later of which reports the change since the
earlier, covers comparing cycles; the insights document holds every level and unit table at
once, which covers changing what insights are broken down by.

The test does not trust the scoring engine's own account of what it hides. It asks the
outputs directly:

* **Swaps.** For two anonymous raters of one leader in different groups, exchange their
  answers and comments (in the database: exchange the group labels of their two stored
  responses, which is the same thing, since responses carry no rater). If no output changes,
  the attacker cannot tell which of the two said what. Raters in one group are exchangeable
  by construction (their responses differ only by label, and storage order is shuffled).
* **Classes.** Raters that can be swapped unnoticed, directly or through others, form a
  class. The property: every class holds at least k raters, or no output follows its raters'
  answers (moving every answer of one of them and changing their comment changes nothing).
  The cycle's instrument-quality figures are the one exception to the second half: they are
  computed from every response of the cycle, like a mean over the whole organization, so they
  move with any answer; swaps within a leader leave them unchanged.

Random cycles come from hypothesis (derandomized, not shrunk: an example takes seconds and a
failure prints it whole): 0 to k + 2 raters in each anonymous group (at most 9), k of 2 to 4,
with or without self and manager, comments, and a second cycle of the same leader with other
raters. A leader's anonymous raters share one random set of "not observed" items, so that a
swap exchanges what was said and nothing else. Who answered which item is visible through the
counts n that come with every shown figure; that is not tested here (the scoring contract's
property tests fold item by item with raters' own "not observed" answers).
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pypdf
import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from leadwell.cycles.answers import encode_answers
from leadwell.instrument import load_instrument

ANONYMOUS = ("peer", "direct", "other")
FILLERS = 5  # other leaders of the cycle, so that the insights have enough leaders to show
INSTRUMENT = load_instrument("1")
ITEMS = INSTRUMENT.items
_TABLES = ["assessments", "figures", "gaps", "comments"]
_LONG_NUMBER = re.compile(r"(?<![\w.])\d+\.\d{11,}(?:[eE][-+]?\d+)?")
_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?")


class _Undo(Exception):
    """Raised to roll back one example's world."""


@dataclass
class Layout:
    """One leader's raters in one cycle: counts per group, and a seed for their answers."""

    k: int
    self_: int
    manager: int
    anonymous: dict[str, int]
    seed: int


@dataclass
class World:
    admin: object
    leader_user: object
    cycles: list = field(default_factory=list)  # oldest first
    targets: list = field(default_factory=list)  # the leader's assessment in each cycle
    rows: dict = field(default_factory=dict)  # assessment pk -> {response pk: group}
    key: str = ""


def _answers(rng: np.random.Generator, group: str, skipped: np.ndarray | None) -> dict[str, int]:
    """Random answers; "not observed" where ``skipped`` says, else for one item in six."""
    if skipped is None:
        skipped = rng.random(len(ITEMS)) < 1 / 6
    values = {}
    for item, skip in zip(ITEMS, skipped, strict=True):
        if skip or (group == "self" and item.facet is None):
            continue
        values[item.id] = int(rng.integers(1, 6))
    return values


def _store(assessment, group: str, rng: np.random.Generator, tag: str, skipped=None):
    from leadwell.cycles.models import Response, ResponseComment

    response = Response.objects.create(
        organization_id=assessment.organization_id,
        assessment=assessment,
        group=group,
        answers=encode_answers(_answers(rng, group, skipped), INSTRUMENT),
        seconds=float(rng.integers(60, 900)),
    )
    if rng.random() < 0.7:
        ResponseComment.objects.create(
            response=response, question="keep", text=f"keep doing {tag} {rng.integers(1e6)}"
        )
    return response


def _build(layouts: list[Layout]) -> World:
    """An organization, its admin, a leader with an account, ``FILLERS`` other leaders, and one
    released cycle per layout (the leader's raters as the layout says; the other leaders with
    a manager and 3 direct reports each)."""
    from django.contrib.auth import get_user_model

    from leadwell.api.services import api_key_create
    from leadwell.cycles.models import Assessment, Cycle
    from leadwell.orgs.models import Organization, Person, Role, Unit

    users = get_user_model().objects
    org = Organization.objects.create(name="Acme", slug="acme")
    admin = users.create_user("admin", "admin@acme.example", "a-long-test-password")
    Role.objects.create(organization=org, user=admin, role=Role.ADMIN)
    user = users.create_user("lee", "lee@acme.example", "a-long-test-password")
    Role.objects.create(organization=org, user=user, role=Role.LEADER)
    unit = Unit.objects.create(organization=org, name="Operations")
    boss = Person.objects.create(organization=org, name="Maria", email="m@acme.example")
    leaders = [
        Person.objects.create(
            organization=org, name="Lee", email="lee@acme.example", unit=unit, level="Manager",
            manager=boss, user=user,
        ),
        *(
            Person.objects.create(
                organization=org, name=f"Leader {i}", email=f"l{i}@acme.example", unit=unit,
                level="Manager", manager=boss,
            )
            for i in range(FILLERS)
        ),
    ]  # fmt: skip
    world = World(admin=admin, leader_user=user)
    world.key = api_key_create(organization=org, name="attack", actor=admin)[1]
    now = timezone.now()
    for number, layout in enumerate(layouts):
        cycle = Cycle.objects.create(
            organization=org,
            name=f"Cycle {number + 1}",
            status=Cycle.RELEASED,
            min_anonymous=layout.k,
            closed_at=now - timezone.timedelta(days=200 * (len(layouts) - number)),
            released_at=now - timezone.timedelta(days=199 * (len(layouts) - number)),
        )
        rng = np.random.default_rng(layout.seed)
        assessments = [
            Assessment.objects.create(organization=org, cycle=cycle, leader=person)
            for person in leaders
        ]
        target, fillers = assessments[0], assessments[1:]
        groups = ["self"] * layout.self_ + ["manager"] * layout.manager
        groups += [g for g in ANONYMOUS for _ in range(layout.anonymous[g])]
        # The leader's anonymous raters leave the same items unanswered ("not observed"), so
        # that exchanging two of them exchanges what they said and nothing else.
        skipped = rng.random(len(ITEMS)) < 1 / 6
        world.rows[target.pk] = {
            _store(target, g, rng, f"{g}{i}", skipped if g in ANONYMOUS else None).pk: g
            for i, g in enumerate(groups)
        }
        for filler in fillers:
            for i, group in enumerate(["self", "manager", "direct", "direct", "direct"]):
                _store(filler, group, rng, f"f{i}")
        world.cycles.append(cycle)
        world.targets.append(target)
    return world


# --- What the attacker sees --------------------------------------------------------------------

_VOLATILE = [
    re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(rb'nonce="[^"]*"'),
]


def _page(data: bytes) -> bytes:
    for pattern in _VOLATILE:
        data = pattern.sub(b"", data)
    return data


def _canonical(value: object) -> str:
    """``value`` as text that two equal outputs share: canonical JSON (or the page itself),
    every date and time blanked (an export says when it was made), and long numbers rounded to
    10 significant digits: sums of the same answers in another order differ in their last bits
    (an SD of 0.43724765965413215 or 0.4372476596541321), and storage order is random."""
    if isinstance(value, bytes):
        text = value.decode()
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, sort_keys=True, default=repr)
    text = _TIME.sub("<time>", text)
    return _LONG_NUMBER.sub(lambda m: f"{float(m.group()):.10g}", text)


def _streamed(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def _clear_derived(world: World) -> None:
    """Forget what was computed from the whole cycle's answers (reliability, insights,
    exports), as an erasure does: each observation computes them afresh. The report's charts
    stay: they are stored under a hash of everything they are drawn from."""
    from collections import Counter

    from leadwell.privacy._derived import derived_delete

    derived_delete(Counter(), cycle_ids=[c.pk for c in world.cycles], chart_assessment_ids=[])


def observe(world: World, *, pdf: bool = False) -> Iterator[tuple[str, object]]:
    """Every output the admin and the leader can get about these cycles, made comparable
    (CSRF tokens, nonces and times removed; archives and workbooks read back), the quickest
    first."""
    from leadwell.insights.compute import insights_compute
    from leadwell.reports.render import report_print_html
    from leadwell.reports.selectors import report_for

    _clear_derived(world)
    admin, leader = Client(), Client()
    admin.force_login(world.admin)
    leader.force_login(world.leader_user)
    bearer = {"Authorization": f"Bearer {world.key}"}
    pairs = list(zip(world.cycles, world.targets, strict=True))
    for number, (_, target) in enumerate(pairs):
        api = admin.get(f"/api/assessments/{target.pk}/report", headers=bearer)
        yield f"{number} API report", _canonical(api.json())
    for number, (cycle, _) in enumerate(pairs):
        query = {"format": "json", "raw": "true", "tables": [*_TABLES, "responses"]}
        results = admin.get(f"/api/cycles/{cycle.pk}/results", query, headers=bearer)
        yield f"{number} API results", _canonical(json.loads(_streamed(results)))
    for number, (cycle, target) in enumerate(pairs):
        report = reverse("reports:detail", args=[target.pk])
        yield f"{number} report as leader", _canonical(_page(leader.get(report).content))
        yield f"{number} report as admin", _canonical(_page(admin.get(report).content))
        printed = report_print_html(report_for(target), assessment=target)
        yield f"{number} printed report", _canonical(printed)
        stream = reverse("exports:stream", args=[cycle.pk])
        for fmt in ("csv", "xlsx", "json"):
            data = _streamed(admin.post(stream, {"format": fmt, "tables": _TABLES, "raw": "on"}))
            yield f"{number} export {fmt}", _canonical(_READ[fmt](data))
        insights = insights_compute(cycle)
        yield f"{number} insights quality", _Fitted(insights.pop("quality"))
        yield f"{number} insights", _canonical(insights)
        if pdf:
            response = leader.get(reverse("reports:pdf", args=[target.pk]))
            pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
            yield f"{number} PDF text", _canonical([page.extract_text() for page in pages])


class _Fitted:
    """The instrument-quality figures, equal to another's when every number agrees to 1e-6
    relative: omega and the CFA are fitted by an optimizer that stops within about 1e-8, and
    where it stops moves with the last bits of its input, which move with storage order."""

    def __init__(self, value: object) -> None:
        self.value = json.loads(json.dumps(value, default=repr))

    def __eq__(self, other: object) -> bool:  # and so not hashable
        return isinstance(other, _Fitted) and _close(self.value, other.value)


def _close(a: object, b: object) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        both_nan = math.isnan(a) and math.isnan(b)
        return a == b or both_nan or abs(a - b) <= 1e-6 * max(abs(a), abs(b))
    return a == b


def _zip_members(data: bytes) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name).decode() for name in sorted(archive.namelist())}


# An XLSX file is a ZIP of XML parts: compared part by part, which is what Excel reads.
_READ: dict[str, Callable[[bytes], object]] = {
    "csv": _zip_members,
    "xlsx": _zip_members,
    "json": json.loads,
}


def first_difference(world: World, baseline: dict[str, object], *, pdf: bool = False) -> str | None:
    """The first output that differs from ``baseline``, or None when none does."""
    for name, value in observe(world, pdf=pdf):
        if value != baseline[name]:
            return name
    return None


# --- The attack ----------------------------------------------------------------------------------

# The instrument-quality figures (reliability, the CFA, straight-lining, speeding): computed from
# every response of the cycle (see the module's docstring).
_WHOLE_CYCLE = " insights quality"


def _relabel(pk, group: str) -> None:
    from leadwell.cycles.models import Response

    Response.objects.filter(pk=pk).update(group=group)


def _swap_unnoticed(world: World, baseline: dict, rows: dict, pair: tuple, pdf: bool) -> bool:
    """Exchange two raters' answers and comments; True when no output changes."""
    first, second = pair
    _relabel(first, rows[second])
    _relabel(second, rows[first])
    try:
        return first_difference(world, baseline, pdf=pdf) is None
    finally:
        _relabel(first, rows[first])
        _relabel(second, rows[second])


def _changed_unnoticed(world: World, baseline: dict, pk, pdf: bool) -> str | None:
    """Give one rater other answers (each answered item moved by one to four points) and
    another comment; the first output that changes, or None (the whole cycle's quality figures
    aside: they move with any answer)."""
    from leadwell.cycles.models import Response, ResponseComment

    response = Response.objects.get(pk=pk)
    comments = list(ResponseComment.objects.filter(response=response))
    original = bytes(response.answers)
    moved = bytes((v - 1 + 1 + (i % 4)) % 5 + 1 if v else 0 for i, v in enumerate(original))
    Response.objects.filter(pk=pk).update(answers=moved)
    ResponseComment.objects.filter(response=response).update(text="a different comment")
    try:
        for name, value in observe(world, pdf=pdf):
            if not name.endswith(_WHOLE_CYCLE) and value != baseline[name]:
                return name
        return None
    finally:
        Response.objects.filter(pk=pk).update(answers=original)
        for comment in comments:
            ResponseComment.objects.filter(pk=comment.pk).update(text=comment.text)


@dataclass
class Verdict:
    classes: list[list[str]]  # groups of the raters of each class, one list per class
    exposed: list[tuple[str, str]]  # (group, first output that changed) for classes under k


def attack(world: World, number: int, *, k: int | None = None, pdf: bool = False) -> Verdict:
    """Classes of the anonymous raters of the leader in cycle ``number`` that the outputs cannot
    tell apart, and the raters of classes under ``k`` (the cycle's threshold unless given) whose
    answers some output still follows. With ``pdf``, the PDFs' text is among the outputs."""
    k = k or world.cycles[number].min_anonymous
    rows = {pk: g for pk, g in world.rows[world.targets[number].pk].items() if g in ANONYMOUS}
    baseline = dict(observe(world, pdf=pdf))
    parent = {pk: pk for pk in rows}

    def root(pk):
        while parent[pk] != pk:
            pk = parent[pk]
        return pk

    by_group: dict[str, list] = {}
    for pk, group in rows.items():
        by_group.setdefault(group, []).append(pk)
    for members in by_group.values():  # one group's raters differ only in storage order
        for pk in members[1:]:
            parent[root(pk)] = root(members[0])
    groups = sorted(by_group)
    for i, first_group in enumerate(groups):
        for second_group in groups[i + 1 :]:
            for first in by_group[first_group]:
                for second in by_group[second_group]:
                    if root(first) == root(second):
                        continue  # already known to be indistinguishable, through others
                    if _swap_unnoticed(world, baseline, rows, (first, second), pdf):
                        parent[root(second)] = root(first)
    classes: dict = {}
    for pk in rows:
        classes.setdefault(root(pk), []).append(pk)
    exposed = []
    for members in classes.values():
        if len(members) >= k:
            continue
        for pk in members:
            changed = _changed_unnoticed(world, baseline, pk, pdf)
            if changed is not None:
                exposed.append((rows[pk], changed))
    return Verdict(sorted(sorted(rows[pk] for pk in c) for c in classes.values()), exposed)


def _attack_all(layouts: list[Layout], *, pdf: bool = False) -> list[Verdict]:
    """Build the cycles, attack the leader's raters in each, and roll everything back."""
    with transaction.atomic():
        world = _build(layouts)
        verdicts = [attack(world, number, pdf=pdf) for number in range(len(layouts))]
        transaction.set_rollback(True)
    return verdicts


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    k = draw(st.integers(2, 4))
    counts = st.integers(0, k + 2)
    anonymous = {g: draw(counts) for g in ANONYMOUS}
    while sum(anonymous.values()) > 9:  # keeps an example's swaps to a few dozen
        largest = max(anonymous, key=lambda g: anonymous[g])
        anonymous[largest] -= 1
    return Layout(
        k=k,
        self_=draw(st.integers(0, 1)),
        manager=draw(st.integers(0, 1)),
        anonymous=anonymous,
        seed=draw(st.integers(0, 2**16)),
    )


_OTHER_CYCLE = Layout(
    k=3, self_=1, manager=1, anonymous={"peer": 3, "direct": 3, "other": 0}, seed=5
)
# (anonymous raters of the leader in the first cycle, k) -> the classes the outputs leave.
# (anonymous raters of the leader in the first cycle, k, whether the PDFs are among the
# outputs) -> the classes the outputs leave. A PDF takes a second or two: two cases have them.
CASES = [
    # Two peers and one other under k = 3: pooled into "Combined", three that cannot be told
    # apart; the direct reports are a group of their own.
    (({"peer": 2, "direct": 4, "other": 1}, 3, True), [["direct"] * 4, ["other", "peer", "peer"]]),
    # Only two anonymous raters: nothing of theirs may show, not even through "All others"
    # next to the manager's own figures. (Two peers are one class; what counts is that
    # changing either's answers changes nothing.)
    (({"peer": 2, "direct": 0, "other": 0}, 3, True), [["peer", "peer"]]),
    # Two direct reports and two others under k = 3: each group too small, together four.
    (
        ({"peer": 3, "direct": 2, "other": 2}, 3, False),
        [["direct", "direct", "other", "other"], ["peer"] * 3],
    ),
    # k = 4: three peers are too few on their own, and pool with the two others.
    (
        ({"peer": 3, "direct": 4, "other": 2}, 4, False),
        [["direct"] * 4, ["other", "other", "peer", "peer", "peer"]],
    ),
]


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize(("raters", "classes"), CASES)
def test_known_layouts_leave_only_classes_of_k(raters, classes):
    anonymous, k, pdf = raters
    first = Layout(k=k, self_=1, manager=1, anonymous=anonymous, seed=11)
    verdicts = _attack_all([first, _OTHER_CYCLE], pdf=pdf)
    assert verdicts[0].classes == classes
    assert verdicts[0].exposed == []
    assert verdicts[1].exposed == []


@pytest.mark.django_db
def test_the_attack_finds_raters_exposed_by_a_lower_threshold():
    """The control: outputs made with k = 2 show two peers as a group of their own. Judged
    against k = 3, the attack must find them."""
    two_peers = Layout(
        k=2, self_=1, manager=1, anonymous={"peer": 2, "direct": 3, "other": 0}, seed=3
    )
    with transaction.atomic():
        world = _build([two_peers, _OTHER_CYCLE])
        strict = attack(world, 0, k=3)
        transaction.set_rollback(True)
    assert strict.classes == [["direct"] * 3, ["peer", "peer"]]
    assert [group for group, _ in strict.exposed] == ["peer", "peer"]
    assert {output for _, output in strict.exposed} <= {"0 API report", "0 API results"}


@pytest.mark.slow
@pytest.mark.django_db
@settings(
    max_examples=5,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(layouts(), min_size=2, max_size=2))
def test_no_output_tells_apart_fewer_than_k_raters(two: list[Layout]) -> None:
    for number, verdict in enumerate(_attack_all(two)):
        assert verdict.exposed == [], (number, two, verdict)
