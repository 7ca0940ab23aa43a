"""The simulated world served over HTTP (``python -m authconform.service``).

``create_app`` builds the FastAPI application; ``HttpAdapter``
(``authconform.adapters.http``) starts it and talks to it. See docs/http-service.md.

It may import ``port``, ``wire`` (the protocol it serves), ``adapters.inprocess`` (the
simulated target it hosts), ``alterations`` and ``sim``; never the gate, the reports,
``proof`` or ``cli``.
"""

from authconform.service.app import create_app

__all__ = ["create_app"]
