"""Running workers at the same moment and keeping every worker's outcome.

A thread that raises only makes pytest print a warning, so a test that counts what the
successful threads returned passes when most of them crashed. `run_together` starts the
workers behind a barrier, records each one's result or exception, and fails with every
exception listed unless all of them finished without one."""
from __future__ import annotations

import threading
import traceback
from typing import Callable


def run_together(worker: Callable[[int], object], count: int, timeout: float = 120) -> list:
    """Run worker(0) .. worker(count - 1) in threads released together; return their
    results in order. Raises AssertionError naming each worker that raised or hung."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout)
            outcomes[index] = ("ok", worker(index))
        except BaseException as error:  # every failure is reported below, none is lost
            outcomes[index] = ("error", "".join(traceback.format_exception(error)))

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    problems = [f"worker {i}: " + ("did not finish" if outcome is None else outcome[1])
                for i, outcome in enumerate(outcomes) if outcome is None or outcome[0] != "ok"]
    assert not problems, "\n".join(problems)
    return [outcome[1] for outcome in outcomes]
