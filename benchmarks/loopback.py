"""The raw TCP loopback limit of this machine: one sender process, one receiving process.

    python benchmarks/loopback.py --bytes 2e9

A separate sender process connects to a socket listening on 127.0.0.1 and streams the bytes with
``sendall`` of one 1 MiB buffer, repeated; this process receives them with ``recv_into`` a
preallocated buffer (copying each byte once into user space, nothing more) and times from the
first byte to the last. No reader of an Ignite cache over TCP can beat this figure.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time

# Runs in the sender process: connect, then send total bytes in chunk-sized sendall calls.
_SENDER = """
import socket, sys
port, total, chunk = (int(a) for a in sys.argv[1:4])
buf = memoryview(bytearray(b"\\x5a" * chunk))
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 24)
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
    total_bytes = int(total_bytes)
    if total_bytes <= 0 or chunk <= 0:
        raise ValueError("total_bytes and chunk must be positive")
    buf = bytearray(chunk)
    view = memoryview(buf)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        # Set before listen() so that the accepted socket inherits it (and the window scale).
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(60)
        port = listener.getsockname()[1]
        sender = subprocess.Popen(
            [sys.executable, "-c", _SENDER, str(port), str(total_bytes), str(chunk)],
            stdin=subprocess.DEVNULL,
        )
        try:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(None)
                received = conn.recv_into(view, 1, socket.MSG_PEEK)  # wait for the first byte
                started = time.perf_counter()
                received = 0
                while received < total_bytes:
                    n = conn.recv_into(view, min(chunk, total_bytes - received))
                    if n == 0:
                        raise RuntimeError(f"sender closed after {received} of {total_bytes} bytes")
                    received += n
                seconds = time.perf_counter() - started
            if sender.wait(timeout=60) != 0:
                raise RuntimeError(f"sender exited with {sender.returncode}")
        finally:
            if sender.poll() is None:
                sender.kill()
                sender.wait()
    return {"rows": 0, "bytes": total_bytes, "seconds": seconds, "peak_rss_bytes": peak_rss_bytes()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bytes", type=float, default=2e9, help="bytes to send (e.g. 2e9)")
    parser.add_argument("--chunk", type=int, default=1 << 20)
    args = parser.parse_args(argv)
    result = measure_loopback(int(args.bytes), args.chunk)
    print(json.dumps(result))
    print(
        f"loopback: {result['bytes'] / result['seconds'] / 1e6:,.0f} MB/s "
        f"({result['bytes']:,} bytes in {result['seconds']:.3f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
