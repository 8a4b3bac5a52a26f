"""``ignite-tf`` command line: run a local Ignite node, or the demo.

ignite-tf node --port 10800     # a real Ignite node in the foreground, Ctrl-C stops it
ignite-tf demo                  # the main job (see ignite_tf.demo)
"""

from __future__ import annotations

import argparse
import signal
import sys


def _node(args: argparse.Namespace) -> int:
    from ignite_tf.testing import IgniteNode

    node = IgniteNode(client_port=args.port)
    node.start()
    print(f"Ignite node up: thin-client port {node.address}; log {node.log_path}. Ctrl-C stops it.")
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except KeyboardInterrupt:
        pass
    finally:
        node.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ignite-tf")
    sub = parser.add_subparsers(dest="command", required=True)
    node = sub.add_parser("node", help="run a local Apache Ignite node")
    node.add_argument("--port", type=int, default=10800, help="thin-client port")
    demo = sub.add_parser("demo", help="load data into Ignite and train a model from it")
    demo.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "node":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        return _node(args)
    from ignite_tf import demo as demo_module

    return demo_module.main(args.rest)


if __name__ == "__main__":
    sys.exit(main())
