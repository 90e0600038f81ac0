"""Celery wired to the Flask app (the Flask docs' `celery_init_app`)."""
from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

        def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
            if self.app.conf.task_always_eager:
                # Celery's eager path wraps the run in `denied_join_result`, a process-wide flag
                # that concurrent threads race: one can leave it set, and every later `.get()` in
                # the process then fails ("Never call result.get() within a task"). Our tasks
                # never wait for another task, so the guard is not needed: run it directly.
                return self.apply(args, kwargs, **options)
            return super().apply_async(args, kwargs, **options)

    broker = app.config.get("CELERY_BROKER_URL")
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object({
        "broker_url": broker or "memory://",
        "result_backend": app.config.get("CELERY_RESULT_BACKEND"),
        "task_ignore_result": True,
        # No broker configured: tasks run in-process, right away (development, demo, tests).
        "task_always_eager": not broker,
        "task_eager_propagates": False,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 2,
        "broker_transport_options": {"max_retries": 1},
        "beat_schedule": app.config.get("CELERY_BEAT_SCHEDULE", {}),
        "timezone": "UTC",
    })
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
