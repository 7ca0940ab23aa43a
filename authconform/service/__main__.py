"""``python -m authconform.service --port N [--state FILE]``: run the service;
``--openapi`` prints its OpenAPI document instead."""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import socket
import sys
from pathlib import Path

from authconform.service.app import MAX_BODY, create_app
from authconform.service.protocol import joined_writes_protocol
from authconform.service.server import PromptServer

TOKEN_ENV = "AUTHCONFORM_SERVICE_TOKEN"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m authconform.service",
        description="Serve the simulated world over HTTP (OpenAPI at /openapi.json).")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    parser.add_argument("--fd", type=int, action="append", default=None,
                        help="serve on this already listening socket (TCP or Unix) instead "
                             "of --host/--port; may be given more than once (how HttpAdapter "
                             "restarts the service on the same port and socket file)")
    parser.add_argument("--direct-fd", type=int, action="append", default=None,
                        help="serve this already listening Unix socket with the service's "
                             "own direct protocol (service/direct.py) instead of uvicorn; "
                             "may be given more than once (how HttpAdapter serves its own "
                             "socket); uvicorn serves it when httptools is not installed")
    parser.add_argument("--state", default=None, metavar="FILE",
                        help="SQLite file keeping every world across restarts "
                             "(default: worlds live in memory only)")
    parser.add_argument("--flush-interval", type=float, default=0.0, metavar="SECONDS",
                        help="with --state: 0 (default) writes a world before answering each "
                             "request that may change it; more writes changed worlds that "
                             "often instead, and all of them when the service stops")
    parser.add_argument("--standby", action="store_true",
                        help="start, then wait for a line on standard input before opening "
                             "--state and serving; end without serving if standard input "
                             "closes first (how HttpAdapter keeps a spare ready for the "
                             "next restart)")
    parser.add_argument("--max-body", type=int, default=MAX_BODY,
                        help=f"largest request body in bytes (default: {MAX_BODY})")
    parser.add_argument("--max-worlds", type=int, default=10_000,
                        help="most worlds kept at once (default: 10000)")
    parser.add_argument("--log-level", default="warning",
                        choices=["critical", "error", "warning", "info", "debug"])
    parser.add_argument("--openapi", action="store_true",
                        help="print the OpenAPI document (the one checked in as "
                             "docs/openapi.json) and exit without serving")
    return parser.parse_args(argv)


def openapi_text() -> str:
    """The published OpenAPI document as JSON text, exactly as docs/openapi.json holds it."""
    import json

    return json.dumps(create_app().openapi(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    args = parse(argv)
    if args.openapi:
        sys.stdout.write(openapi_text())
        return 0
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    direct = [socket.socket(fileno=fd) for fd in args.direct_fd or []]
    served = [socket.socket(fileno=fd) for fd in args.fd or []]
    if direct and importlib.util.find_spec("httptools") is None:
        served, direct = served + direct, []  # the direct protocol parses with httptools
    app = create_app(None if args.standby else args.state, max_body=args.max_body,
                     max_worlds=args.max_worlds,
                     service_token=os.environ.get(TOKEN_ENV) or None,
                     flush_interval=max(0.0, args.flush_interval), direct_sockets=direct)
    if args.standby:
        # Everything is imported and built; the worlds are read only now, once the
        # service this one replaces has stopped and written them.
        if not sys.stdin.readline():
            return 0  # let go unused
        if args.state is not None:
            app.state.registry.open_state(Path(args.state))
    # httptools (else h11), uvloop when installed (uvicorn's "auto" loop), each answer
    # in one write, no access log, no proxy-header rewriting and no
    # Server/Date headers: the per-request cost is what the conformance run pays.
    config = uvicorn.Config(app, host=args.host, port=args.port, http=joined_writes_protocol(),
                            ws="none", lifespan="on", access_log=False,
                            log_level=args.log_level, proxy_headers=False,
                            server_header=False, date_header=False,
                            timeout_graceful_shutdown=5, timeout_keep_alive=30)
    server = PromptServer(config)
    if not served and not direct:
        server.run()
    else:
        # socket(fileno=) reads the family from the descriptor (uvicorn's own --fd
        # assumes AF_UNIX, which leaves TCP_NODELAY off and costs 40 ms per request).
        server.run(sockets=served)
    return 0


if __name__ == "__main__":
    sys.exit(main())
