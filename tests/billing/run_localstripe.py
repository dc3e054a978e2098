"""Starts localstripe (a local Stripe stand-in; GPL, a test tool only) for the tests:
`python run_localstripe.py PORT [EPOCH]`. On 127.0.0.1 only, its store kept in memory
(not in the /tmp file every localstripe on the machine shares), and with EPOCH its clock
set where the test process's clock is (CMR_TEST_NOW moves it; webhook signatures carry
the time and are refused when it is more than 5 minutes off).

localstripe posts an event's webhooks a second after the event, to the webhooks registered
*then*: an event of one test could reach the next test's server, whose fresh database has
the same order and pro-forma numbers, and be booked there. `POST /_config/deliveries/wait`
(added here) answers once every delivery scheduled so far is done; the tests call it before
emptying the store."""
import asyncio
import sys

if len(sys.argv) > 2:
    import time_machine
    time_machine.travel(float(sys.argv[2]), tick=True).start()

from aiohttp import web  # noqa: E402
from localstripe import resources, server, webhooks  # noqa: E402

resources.Store.dump_to_disk = lambda self: None

_pending: set[asyncio.Future] = set()


def _schedule_webhook(event) -> None:
    delivery = asyncio.ensure_future(webhooks._send_webhook(event))
    _pending.add(delivery)
    delivery.add_done_callback(_pending.discard)


async def _wait_for_deliveries(request):
    while _pending:
        await asyncio.wait(set(_pending))
    return web.Response()


resources.schedule_webhook = _schedule_webhook
server.app.router.add_post("/_config/deliveries/wait", _wait_for_deliveries)
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
