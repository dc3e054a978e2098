"""Background work: with REDIS_URL set, jobs run on RQ queues (`./worker.sh`: an
`rq worker -w rq.worker.SimpleWorker` for each queue, with the same CMR_* environment as
the web); without it they run inline. Jobs carry ids, never objects. This
module knows the queues only: callers hand it a function, so it imports none of them.

Two queues, each with its worker: `cmr` holds what is owed (e-mails, invoices, exports);
`cmr-low` what only saves a later request time (PDFs rendered ahead of their download),
whose worker only gets the CPU nothing else wants, so a burst of issued documents never
holds back a password-reset e-mail nor slows a request."""
from __future__ import annotations

import importlib
from functools import lru_cache

from flask import current_app, has_app_context

QUEUE = "cmr"
LOW_QUEUE = "cmr-low"
QUEUES = (QUEUE, LOW_QUEUE)  # drain() takes them in this order: what is owed first
# Work ahead of need is dropped when no worker started it within an hour (a node whose
# worker does not listen on cmr-low): the request it would have spared does it then.
LOW_TTL_SECONDS = 3600
_worker_app = None
# A Redis that is away must cost a request a moment, not a hang.
REDIS_TIMEOUTS = {"socket_connect_timeout": 2, "socket_timeout": 5}


@lru_cache(maxsize=8)
def _connection(url: str):
    """One client (and its connection pool) per URL and process, not a new TCP
    connection for every job queued."""
    from redis import Redis
    return Redis.from_url(url, **REDIS_TIMEOUTS)


def enqueue(func, **kwargs) -> None:
    """Queues func(**kwargs) when Redis is set (raising if Redis cannot take it), runs it
    now otherwise."""
    _enqueue(QUEUE, func, kwargs)


def enqueue_low(func, **kwargs) -> None:
    """As enqueue, for work that only saves a later request time: on `cmr-low`, taken
    after everything on `cmr`, and dropped if no worker starts it within an hour."""
    _enqueue(LOW_QUEUE, func, kwargs, ttl=LOW_TTL_SECONDS)


def _enqueue(queue: str, func, kwargs: dict, **options) -> None:
    url = current_app.config.get("REDIS_URL")
    if url:
        from rq import Queue
        Queue(queue, connection=_connection(url)).enqueue(run, f"{func.__module__}:{func.__qualname__}", kwargs,
                                                          **options)
    else:
        func(**kwargs)


def redis_connection():
    """The app's Redis client (REDIS_URL set), for work kept beside the queues."""
    return _connection(current_app.config["REDIS_URL"])


def in_own_request(app, func, **kwargs):
    """func(**kwargs) in an app and request context of its own (a job doing many things)."""
    with app.app_context():
        return _run_in_request(app, func, kwargs)


def run(name: str, kwargs: dict) -> None:
    """The RQ entry point. In a worker process it makes the app once from the environment;
    a worker inside a running app (tests, burst mode) uses that app."""
    global _worker_app
    module, _, attribute = name.partition(":")
    func = getattr(importlib.import_module(module), attribute)
    if has_app_context():
        return _run_in_request(current_app, func, kwargs)
    if _worker_app is None:
        from . import create_app
        _worker_app = create_app()
    with _worker_app.app_context():
        return _run_in_request(_worker_app, func, kwargs)


def _run_in_request(app, func, kwargs):
    # url_for and Babel need a request; the links are made absolute with BASE_URL.
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        return func(**kwargs)


def drain(app) -> int:
    """Runs every queued job now, in this process (tests and `flask jobs drain`)."""
    url = app.config.get("REDIS_URL")
    if not url:
        return 0
    from rq import Queue, SimpleWorker
    connection = _connection(url)
    queues = [Queue(name, connection=connection) for name in QUEUES]
    count = sum(len(queue) for queue in queues)
    if count:
        with app.app_context():
            SimpleWorker(queues, connection=connection).work(burst=True)
    return count
