"""Local ports for nodes: free now, outside the ephemeral range, never handed out twice."""

from __future__ import annotations

import random
import socket
import threading
from pathlib import Path

from ignite_tf.node.errors import IgniteNodeError

# Every node listens on this address only.
LOCALHOST = "127.0.0.1"

_port_lock = threading.Lock()
_ports_handed_out: set[int] = set()
_port_rng = random.SystemRandom()

# Highest port a node may be given: Ignite's NIO server (communication SPI, client
# connector) accepts only ``0 < port < 65535``, so 65535 fails the node at startup with
# "Ouch! Argument is invalid: port".
MAX_NODE_PORT = 65534


def _port_windows() -> list[tuple[int, int]]:
    """Port intervals outside the kernel's ephemeral range, largest first."""
    eph_lo, eph_hi = 32768, 60999
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        eph_lo, eph_hi = int(text[0]), int(text[1])
    except (OSError, ValueError, IndexError):
        pass
    windows = [(10000, min(eph_lo - 1, MAX_NODE_PORT)), (max(eph_hi + 1, 10000), MAX_NODE_PORT)]
    windows = [(lo, hi) for lo, hi in windows if hi - lo >= 100]
    if not windows:
        windows = [(10000, MAX_NODE_PORT)]
    return sorted(windows, key=lambda w: w[1] - w[0], reverse=True)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOCALHOST, port))
        except OSError:
            return False
    return True


def allocate_ports(count: int = 1, *, contiguous: bool = False) -> list[int]:
    """Pick ports on 127.0.0.1 that are free now and were not handed out before.

    Ports are drawn at random outside the kernel's ephemeral range (so the OS
    does not hand them to outgoing connections meanwhile), and never twice
    within this process.

    Args:
        count: how many ports.
        contiguous: return a block of consecutive ports (e.g. a discovery range).
    """
    if count < 1:
        raise ValueError("count must be >= 1")
    windows = _port_windows()
    with _port_lock:
        result: list[int] = []
        for _ in range(10000):
            lo, hi = windows[0] if contiguous else _port_rng.choice(windows)
            if contiguous:
                start = _port_rng.randint(lo, hi - count + 1)
                block = list(range(start, start + count))
                if all(p not in _ports_handed_out and _port_is_free(p) for p in block):
                    result = block
                    break
            else:
                port = _port_rng.randint(lo, hi)
                if port not in _ports_handed_out and port not in result and _port_is_free(port):
                    result.append(port)
                    if len(result) == count:
                        break
        else:
            raise IgniteNodeError(f"could not find {count} free local ports")
        _ports_handed_out.update(result)
        return result
