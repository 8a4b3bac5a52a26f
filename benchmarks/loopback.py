"""The raw TCP loopback limit of this machine: sender processes streaming to this one.

    python benchmarks/loopback.py --bytes 2e9
    python benchmarks/loopback.py --bytes 3e8 --links 3 --source-ports 20001,20002,20003

A separate sender process connects to a socket listening on 127.0.0.1 and streams the bytes with
``sendall`` of one 1 MiB buffer, repeated; this process receives them with ``recv_into`` a
preallocated buffer (copying each byte once into user space, nothing more) and times from the
first byte to the last. No reader of an Ignite cache over TCP can beat this figure.

With several links, one sender per link streams at the same time (each link on its own
receiving thread), and a sender may send from a fixed source port: traffic shaping that
classifies packets by source port (``cluster_scaling.py`` shapes each node's link by its
ports) then treats the sender's bytes as that link's.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

# Runs in the sender process: connect (from a fixed source port if one is given, which may
# still be in TIME_WAIT from an earlier run), then send total bytes in chunk-sized sendall calls.
_SENDER = """
import socket, sys
port, total, chunk, source_port = (int(a) for a in sys.argv[1:5])
buf = memoryview(bytearray(b"\\x5a" * chunk))
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 24)
if source_port:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", source_port))
s.connect(("127.0.0.1", port))
left = total
while left >= chunk:
    s.sendall(buf)
    left -= chunk
if left:
    s.sendall(buf[:left])
s.shutdown(socket.SHUT_WR)
s.recv(1)  # the receiver closes when it has everything
s.close()
"""

RCVBUF = 1 << 24  # asked for; the kernel caps it at 2 * net.core.rmem_max


def peak_rss_bytes() -> int:
    """VmHWM (peak resident set size) of this process in bytes, -1 when unavailable."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return -1


def run_on_threads(work: Callable[[int], None], count: int) -> None:
    """Runs ``work(0)``, ..., ``work(count - 1)`` each on a thread of its own, waits for all,
    and re-raises the first error one of them raised."""
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            work(i)
        except BaseException as error:  # re-raised below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _receive(conn: socket.socket, total: int, chunk: int, times: list[float]) -> None:
    """Receives ``total`` bytes; appends the first byte's and the last byte's time."""
    view = memoryview(bytearray(chunk))
    conn.settimeout(None)
    conn.recv_into(view, 1, socket.MSG_PEEK)  # wait for the first byte
    times.append(time.perf_counter())
    received = 0
    while received < total:
        n = conn.recv_into(view, min(chunk, total - received))
        if n == 0:
            raise RuntimeError(f"sender closed after {received} of {total} bytes")
        received += n
    times.append(time.perf_counter())


def measure_loopback_links(
    bytes_per_link: int, source_ports: Sequence[int | None] = (None,), chunk: int = 1 << 20
) -> dict:
    """Stream ``bytes_per_link`` over 127.0.0.1 on each of ``len(source_ports)`` links at once,
    from one sender process per link into this process.

    Args:
        bytes_per_link: bytes each sender sends.
        source_ports: the source port of each link's sender (``None``: any).
        chunk: size of the senders' ``sendall`` buffer and of the ``recv_into`` buffers.

    Returns:
        ``{"rows": 0, "bytes": total, "seconds": s, "links": n, "peak_rss_bytes": m}`` where
        ``s`` runs from the first byte's arrival on any link to the last byte's on all, and
        ``m`` is this (receiving) process's VmHWM, which includes whatever it had allocated
        before the call.
    """
    bytes_per_link = int(bytes_per_link)
    links = len(source_ports)
    if bytes_per_link <= 0 or chunk <= 0 or links < 1:
        raise ValueError("bytes_per_link, chunk and the number of links must be positive")
    times: list[list[float]] = [[] for _ in range(links)]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        # Set before listen() so that the accepted socket inherits it (and the window scale).
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        listener.bind(("127.0.0.1", 0))
        listener.listen(links)
        listener.settimeout(60)
        port = listener.getsockname()[1]
        senders = [
            subprocess.Popen(
                [sys.executable, "-c", _SENDER, str(port), str(bytes_per_link), str(chunk)]
                + [str(source_port or 0)],
                stdin=subprocess.DEVNULL,
            )
            for source_port in source_ports
        ]
        conns: list[socket.socket] = []
        try:
            for _ in range(links):
                conns.append(listener.accept()[0])
            run_on_threads(lambda i: _receive(conns[i], bytes_per_link, chunk, times[i]), links)
            for conn in conns:
                conn.close()
            for sender in senders:
                if sender.wait(timeout=60) != 0:
                    raise RuntimeError(f"sender exited with {sender.returncode}")
        finally:
            for conn in conns:
                conn.close()
            for sender in senders:
                if sender.poll() is None:
                    sender.kill()
                    sender.wait()
    seconds = max(t[1] for t in times) - min(t[0] for t in times)
    return {
        "rows": 0,
        "bytes": bytes_per_link * links,
        "seconds": seconds,
        "links": links,
        "peak_rss_bytes": peak_rss_bytes(),
    }


def measure_loopback(total_bytes: int, chunk: int = 1 << 20) -> dict:
    """Stream ``total_bytes`` over 127.0.0.1 from a sender process into this one.

    Args:
        total_bytes: bytes to transfer.
        chunk: size of the sender's ``sendall`` buffer and of this side's ``recv_into`` buffer.

    Returns:
        ``{"rows": 0, "bytes": total_bytes, "seconds": s, "peak_rss_bytes": n}`` where ``s`` runs
        from the first byte's arrival to the last's and ``n`` is this (receiving) process's
        VmHWM, which includes whatever it had allocated before the call.
    """
    result = measure_loopback_links(total_bytes, (None,), chunk)
    del result["links"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bytes", type=float, default=2e9, help="bytes to send (e.g. 2e9)")
    parser.add_argument("--chunk", type=int, default=1 << 20)
    parser.add_argument("--links", type=int, default=1, help="links at once (--bytes each)")
    parser.add_argument(
        "--source-ports", default="", help="comma-separated source port of each link's sender"
    )
    args = parser.parse_args(argv)
    ports = [int(p) for p in args.source_ports.split(",") if p.strip()] or [None] * args.links
    result = measure_loopback_links(int(args.bytes), ports, args.chunk)
    print(json.dumps(result))
    print(
        f"loopback: {result['bytes'] / result['seconds'] / 1e6:,.0f} MB/s "
        f"({result['bytes']:,} bytes in {result['seconds']:.3f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
