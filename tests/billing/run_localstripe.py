"""Starts localstripe (a local Stripe stand-in; GPL, a test tool only) for the tests:
`python run_localstripe.py PORT [EPOCH]`. On 127.0.0.1 only, its store kept in memory
(not in the /tmp file every localstripe on the machine shares), and with EPOCH its clock
set where the test process's clock is (CMR_TEST_NOW moves it; webhook signatures carry
the time and are refused when it is more than 5 minutes off)."""
import sys

if len(sys.argv) > 2:
    import time_machine
    time_machine.travel(float(sys.argv[2]), tick=True).start()

from aiohttp import web  # noqa: E402
from localstripe import resources, server  # noqa: E402

resources.Store.dump_to_disk = lambda self: None
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
