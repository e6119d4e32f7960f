"""How ``make test`` shares the tests between pytest-xdist's workers (``-n auto``).

Each test is a unit of work of its own, handed to whichever worker is free, except where tests
must stay together on one worker (``UNITS``). The units are handed out longest first, by a
rough cost per test (``COSTS`` names the tests that take seconds, not tenths), so the long
ones start at once and the short ones fill in around them and even out the end: a long test
left for last keeps one worker busy while the other has nothing to do.

xdist's own ``--dist loadgroup`` reads ``xdist_group`` marks through a node id attribute that
pytest 9 no longer has, so with pytest 9 it groups nothing (every test went its own way, two
soak tests ran side by side and both workers loaded the demo). The units are therefore named
here by path, where the controller, which sees only node ids, can read them.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from xdist.scheduler.loadscope import LoadScopeScheduling

MODULE = "module"  # the unit is the test module


@dataclass(frozen=True)
class Unit:
    prefix: str  # node ids starting with this
    group: str  # the unit's name, or MODULE: one unit per module
    seconds: float  # roughly what one of its tests costs, to hand out the long units first
    why: str


WHY = "one embeds the dev examples, the other reads them from the run's cache"
UNITS = (
    Unit("tests/soak/", "soak", 45, "load with faults: they must not run beside each other"),
    Unit("tests/cluster/", "cluster", 8, "one cluster on fixed ports, started once"),
    Unit("tests/e2e/", "browser", 2.5, "one Chromium for them all (tests/e2e/conftest.py)"),
    Unit("tests/articles/test_demo.py", MODULE, 6, "one load of the demo for the module"),
    Unit("tests/comments/test_budget.py", MODULE, 0.5, "builds its thread once for the module"),
    Unit("tests/comments/test_transfer.py", MODULE, 0.3, "builds its site once for the module"),
    # The first recalibration embeds the dev examples (half a minute of one core) into the
    # run's embedding cache, which the other then reads: apart, on two workers, the second
    # waits on the cache's lock with its worker idle, and either may be left for last.
    Unit("tests/comments/test_appeals.py::test_recalibration_", "recalibration", 20, WHY),
    Unit(
        "tests/comments/test_language_model.py::test_recalibrate_refits", "recalibration", 20, WHY
    ),
)


@dataclass(frozen=True)
class Cost:
    prefix: str  # node ids starting with this (each still a unit of its own)
    seconds: float  # roughly what one of them costs on an idle 2-core machine
    why: str


# Measured in a full run (--durations): the tests well above the common tenths of a second.
COSTS = (
    Cost("tests/comments/test_concurrency.py::", 5, "threads racing on PostgreSQL"),
    Cost("tests/newsroom/test_sign_in_limits.py::test_guesses_from", 6, "gunicorn, 3 workers"),
    Cost("tests/newsroom/test_sign_in_limits.py::test_wrong_passwords_", 5, "gunicorn"),
    Cost("tests/comments/test_page_cache_workers.py::", 5, "gunicorn, several workers"),
    Cost("tests/newsroom/test_own_data_workers.py::", 5, "gunicorn, 3 workers"),
    Cost("tests/comments/test_shared_limits.py::", 4, "gunicorn, 3 workers"),
    Cost("tests/comments/test_reader_layer.py::test_through_several_", 4, "gunicorn"),
    Cost("tests/comments/test_notification_worker.py::test_worker_processes_", 4, "workers"),
    Cost("tests/newsroom/test_devdb.py::", 4, "starts an embedded PostgreSQL"),
    Cost("tests/newsroom/test_backup.py::test_a_backup_", 4, "make backup and restore"),
    Cost("tests/newsroom/test_own_data.py::test_a_worker_process_", 3, "a task worker"),
    Cost("tests/comments/test_cache_keys.py::test_a_flood_", 3, "a flood of pages"),
    Cost("tests/comments/test_properties.py::", 2, "property-based: many examples"),
    Cost("tests/newsroom/test_together.py::", 2, "starts and kills processes"),
    Cost("tests/newsroom/test_site.py::", 1, "settings checked in new processes"),
    Cost("tests/comments/test_tree.py::", 1, "large trees"),
    Cost("tests/newsroom/test_dbrouter.py::", 1, "a replica database"),
)
SECONDS_PER_TEST = 0.3  # the rest, each a unit of its own


def unit_of(nodeid: str) -> tuple[str, float]:
    """The name of the unit a test belongs to, and its cost per test."""
    path = nodeid.split("::", 1)[0]
    for unit in UNITS:
        if nodeid.startswith(unit.prefix):
            return (path if unit.group == MODULE else unit.group), unit.seconds
    for cost in COSTS:
        if nodeid.startswith(cost.prefix):
            return nodeid, cost.seconds
    return nodeid, SECONDS_PER_TEST


class Scheduling(LoadScopeScheduling):
    """xdist's scheduling by scope, with ``unit_of`` as the scope and the costliest first."""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)[0]

    def schedule(self) -> None:
        assert self.collection_is_completed
        if self.collection is not None:  # a worker came back: share out what is left
            for node in self.nodes:
                self._reschedule(node)
            return
        if not self._check_nodes_have_same_collection():
            self.log("**Different tests collected, aborting run**")
            return
        self.collection = list(next(iter(self.registered_collections.values())))
        if not self.collection:
            return
        units: dict[str, dict[str, bool]] = {}
        cost: dict[str, float] = {}
        for nodeid in self.collection:
            name, seconds = unit_of(nodeid)
            units.setdefault(name, {})[nodeid] = False
            cost[name] = cost.get(name, 0.0) + seconds
        # Longest first; equals keep their collection order (sorted() is stable).
        self.workqueue = OrderedDict(
            (name, units[name]) for name in sorted(units, key=lambda name: -cost[name])
        )
        while len(self.nodes) > len(self.workqueue):  # more workers than units
            unused, _ = self.assigned_work.popitem()
            unused.shutdown()
        for node in self.nodes:
            self._assign_work_unit(node)
        # As xdist's own does: a second unit where the first is short (a worker keeps its last
        # test until it knows what comes next, so one test alone would wait forever), and
        # the end once nothing is left.
        for node in self.nodes:
            self._reschedule(node)
        if not self.workqueue:
            for node in self.nodes:
                node.shutdown()
