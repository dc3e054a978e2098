"""Background work: with REDIS_URL set, e-mails (and the PDFs they carry) run on the RQ
queue `cmr` (`rq worker -u $CMR_REDIS_URL cmr`, with the same CMR_* environment as the
web); without it they run inline. Jobs carry ids, never objects."""
from __future__ import annotations

from flask import current_app, has_app_context

QUEUE = "cmr"
_worker_app = None


def enqueue(name: str, **kwargs) -> None:
    url = current_app.config.get("REDIS_URL")
    if url:
        from redis import Redis
        from rq import Queue
        Queue(QUEUE, connection=Redis.from_url(url)).enqueue(run, name, kwargs)
    else:
        TASKS[name](**kwargs)


def run(name: str, kwargs: dict) -> None:
    """The RQ entry point. In a worker process it makes the app once from the environment;
    a worker inside a running app (tests, burst mode) uses that app."""
    global _worker_app
    if has_app_context():
        return _run_in_request(current_app, name, kwargs)
    if _worker_app is None:
        from . import create_app
        _worker_app = create_app()
    with _worker_app.app_context():
        return _run_in_request(_worker_app, name, kwargs)


def _run_in_request(app, name, kwargs):
    # url_for and Babel need a request; the links are made absolute with BASE_URL.
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        return TASKS[name](**kwargs)


def deliver(raw: bytes) -> None:
    import email
    import email.policy
    from . import mail
    mail.deliver(email.message_from_bytes(raw, policy=email.policy.default), current_app.config["MAIL_URL"])


def billing_email(document_id: int, template: str) -> None:
    from .services import mailing
    mailing.send_billing_email(document_id, template)


def document_email(document_id: int, user_id: int, recipients: list[str]) -> None:
    from .services import mailing
    mailing.send_document_email(document_id, user_id, recipients)


def document_step_email(document_id: int, step: str, recipients: list[str]) -> None:
    from .services import mailing
    mailing.send_document_step_email(document_id, step, recipients)


TASKS = {"deliver": deliver, "billing_email": billing_email, "document_email": document_email,
         "document_step_email": document_step_email}


def drain(app) -> int:
    """Runs every queued job now, in this process (tests and `flask jobs drain`)."""
    url = app.config.get("REDIS_URL")
    if not url:
        return 0
    from redis import Redis
    from rq import Queue, SimpleWorker
    connection = Redis.from_url(url)
    queue = Queue(QUEUE, connection=connection)
    count = len(queue)
    if count:
        with app.app_context():
            SimpleWorker([queue], connection=connection).work(burst=True)
    return count
