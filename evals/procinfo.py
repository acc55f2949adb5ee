"""Process and machine counters from /proc (Linux), standard library only.

Kept free of heavy imports because evals.coldstart times the product's import from a bare
interpreter and uses this module first.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (VmHWM).

    Not ``ru_maxrss``: Linux carries that over fork and exec from the parent, so a worker
    started by a process holding the model would report the parent's peak as its own.
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@dataclass
class CpuSnapshot:
    """Wall time, CPU time busy machine-wide, and CPU time of this process and its
    children, at one moment."""

    wall: float
    busy: float
    own: float


def cpu_snapshot() -> CpuSnapshot:
    """Counters to compare with a later snapshot (see `foreign_cores`)."""
    busy = 0.0
    try:
        fields = Path("/proc/stat").read_text(encoding="utf-8").split("\n", 1)[0].split()[1:]
        ticks = [int(f) for f in fields]
        # user nice system idle iowait irq softirq steal: everything but idle and iowait
        busy = (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    own = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        own += usage.ru_utime + usage.ru_stime
    return CpuSnapshot(perf_counter(), busy, own)


def foreign_cores(start: CpuSnapshot, end: CpuSnapshot) -> float:
    """Average number of cores other processes kept busy between two snapshots: on a
    small machine, anything above a few tenths means the timings are contended."""
    wall = end.wall - start.wall
    if wall <= 0 or end.busy == 0:
        return 0.0
    return round(max(0.0, (end.busy - start.busy) - (end.own - start.own)) / wall, 2)
