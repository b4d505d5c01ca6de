"""The benchmark registry: each workload module lists its Workloads in WORKLOADS.

A new workload is a module in bench/ with a `WORKLOADS` list, named in MODULES below;
`bench/run.py` then offers it as a subcommand.
"""

from collections.abc import Callable
from dataclasses import dataclass

MODULES = ("bench.w_reads", "bench.w_writes", "bench.w_board", "bench.w_live")


@dataclass(frozen=True)
class Result:
    """One measured target: what it is, the figure, whether it passed, how it was made."""

    workload: str
    target: str
    value: float
    passed: bool
    detail: str


@dataclass(frozen=True)
class Workload:
    name: str
    help: str
    run: Callable[..., list[Result]]


def workloads() -> dict[str, Workload]:
    """Import every module of MODULES and return its workloads by name."""
    import importlib

    found: dict[str, Workload] = {}
    for module in MODULES:
        for workload in importlib.import_module(module).WORKLOADS:
            found[workload.name] = workload
    return found
