"""Signals and worker processes: a build stops cleanly, and its workers with it.

SIGTERM (what `timeout`, CI cancellation and container stops send) is handled
like Ctrl-C: the build raises, partial files are removed, workers are stopped,
one line is printed and the exit status is 143. Workers end when their parent
dies, even by `kill -9`, so none goes on writing artifacts nobody records.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager


def die_with_parent(parent: int) -> None:
    """Make this worker end when the build that started it (process `parent`) dies,
    even by kill -9.

    Linux sends PR_SET_PDEATHSIG's signal when the parent exits; elsewhere a
    thread watches the parent's id. The parent's id comes from the parent itself:
    read here, it would already be init's if the build died while this worker was
    starting (a SIGTERM during the pool's start), and the worker would go on
    writing artifacts nobody records.
    """
    # A forked worker inherits the parent's SIGTERM handler; for a worker, SIGTERM
    # (from the parent stopping the pool, or its death) simply ends it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # gone before the line above could notice
        os.kill(os.getpid(), signal.SIGTERM)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers now (not after their current edition) and the pool."""
    processes = list(getattr(pool, "_processes", {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


class Terminated(KeyboardInterrupt):
    """SIGTERM (timeout, CI cancellation, a container stop), handled like Ctrl-C."""

    signum = signal.SIGTERM


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While building, SIGTERM raises Terminated: partial files go, workers stop."""

    def terminated(signum: int, frame: object) -> None:
        raise Terminated()

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
