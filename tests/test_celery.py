"""Background jobs without a broker run in-process (portal/celery.py), also from many threads."""
from __future__ import annotations

import threading

from celery import shared_task
from celery._state import task_join_will_block


@shared_task(name="tests.echo")
def echo(value: int) -> int:
    return value


def test_jobs_queued_from_many_threads_leave_no_join_guard_behind(app):
    """Celery's own eager path sets a process-wide guard around each run; threads racing on it
    left it set, and every later `.get()` failed. Eager jobs run directly instead."""
    task = app.extensions["celery"].tasks["tests.echo"]
    start = threading.Barrier(8)
    results: list[int] = []

    def queue_many() -> None:
        start.wait()
        for i in range(200):
            results.append(task.delay(i).get())

    threads = [threading.Thread(target=queue_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 1600 and sum(results) == 8 * sum(range(200))
    assert task_join_will_block() is False
    assert task.apply_async((5,)).get() == 5
