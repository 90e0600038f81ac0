"""Run localstripe bound to 127.0.0.1 on a given port, with its state file turned off.

localstripe's own `start()` listens on every interface and pickles its store to a fixed file
in /tmp after every write; tests run it through this module instead:
`python -m tests.orders.localstripe_server PORT`.
"""
from __future__ import annotations

import logging
import sys

from aiohttp import web


def main() -> None:
    port = int(sys.argv[1])
    from localstripe import resources

    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]
    from localstripe.server import app

    logging.basicConfig(level=logging.WARNING)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
