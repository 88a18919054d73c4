"""The emulator's one lock: :data:`EMULATOR_LOCK` guards all emulator state.

What it guards:

* the request log (:mod:`request_log`), pending faults (:mod:`faults`) and
  settings (:mod:`settings`): each of their methods takes it;
* running timelines (:mod:`timeline`): each method of :class:`~timeline.Timelines`
  takes it;
* moto's backends while a service hook reads or changes them: the middleware
  holds it for the whole of every hooked call (hooks, the moto call between
  them, the answer), so a hook's read-check-write on moto state is atomic;
* resets (``/_emulator/reset``, ``/moto-api/reset``), which empty all of the above;
* botocore's shared session while :mod:`rpc_v2_services` loads models from it.

Why one lock for the whole process: moto keeps every service's state in
module-level ``BackendDict`` objects, so there is exactly one emulator state per
process, whatever the number of middlewares; and one lock cannot be taken in
two orders, so it cannot deadlock against itself.

It is reentrant (an ``RLock``): a hook holding it calls helpers (settings, log,
timelines) that take it again.

Rules:

* hold it only for in-memory work; calls that go straight to moto unchanged
  (not hooked) run without it, and responses are never streamed under it;
* never make an HTTP call to the emulator itself while holding it: the thread
  serving that call would wait for the lock forever.
"""

from __future__ import annotations

import threading

EMULATOR_LOCK = threading.RLock()
