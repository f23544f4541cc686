#!/usr/bin/env python3
"""A userspace stand-in for `tc qdisc ... netem` on kernels built without
sch_netem (CONFIG_NET_SCH_NETEM unset, as in the CI VM): a two-port Ethernet
bridge between two interfaces, run inside its own network namespace, that
impairs IPv4/UDP frames in both directions the way netem does:

  loss P%           drop the frame
  duplicate P%      send it twice
  delay MS          hold frames for MS milliseconds, except that
  reorder P% C%     P% of frames (correlation C%) skip the delay and so
                    overtake the ones held back, as netem's reorder does

Everything else (ARP, ...) is forwarded at once. Usage:
  impair.py IF_A IF_B [--loss 5] [--duplicate 1] [--reorder 25] [--correlation 50] [--delay-ms 1] [--seed 1]
Prints "ready" once both ports are open, and counters on SIGTERM.
"""
import argparse
import heapq
import random
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


class Correlated:
    """netem-style correlated uniform random numbers in [0, 1)."""

    def __init__(self, rng, correlation):
        self.rng = rng
        self.rho = correlation
        self.last = rng.random()

    def next(self):
        value = (1 - self.rho) * self.rng.random() + self.rho * self.last
        self.last = value
        return value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--loss", type=float, default=5)
    ap.add_argument("--duplicate", type=float, default=1)
    ap.add_argument("--reorder", type=float, default=25)
    ap.add_argument("--correlation", type=float, default=50)
    ap.add_argument("--delay-ms", type=float, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    reorder = Correlated(rng, args.correlation / 100)
    ports = {}
    for name in (args.a, args.b):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        s.setblocking(False)
        ports[name] = s
    other = {args.a: ports[args.b], args.b: ports[args.a]}
    by_fd = {s.fileno(): name for name, s in ports.items()}
    held = []  # (release time, sequence, socket, frame)
    seq = 0
    stats = {"frames": 0, "dropped": 0, "duplicated": 0, "overtook": 0}

    def stop(*_):
        print("stats " + " ".join(f"{k}={v}" for k, v in stats.items()), flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)

    while True:
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, _, out, frame = heapq.heappop(held)
            try:
                out.send(frame)
            except OSError:
                pass
        timeout = max(0.0, held[0][0] - now) if held else 0.5
        readable, _, _ = select.select(list(ports.values()), [], [], timeout)
        for s in readable:
            name = by_fd[s.fileno()]
            while True:
                try:
                    frame, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue  # our own transmission on this port
                out = other[name]
                is_udp4 = len(frame) > 23 and frame[12:14] == b"\x08\x00" and frame[23] == 17
                if not is_udp4:
                    out.send(frame)
                    continue
                stats["frames"] += 1
                # veth hands AF_PACKET frames whose UDP checksum is left to
                # offload (not filled in yet); re-injected as they are, the
                # receiver would drop them. Zero means "no checksum" in IPv4.
                frame = bytearray(frame)
                ihl = (frame[14] & 0x0F) * 4
                frame[14 + ihl + 6 : 14 + ihl + 8] = b"\x00\x00"
                frame = bytes(frame)
                if rng.random() * 100 < args.loss:
                    stats["dropped"] += 1
                    continue
                copies = 1
                if rng.random() * 100 < args.duplicate:
                    copies = 2
                    stats["duplicated"] += 1
                for _ in range(copies):
                    if reorder.next() * 100 < args.reorder:
                        stats["overtook"] += 1
                        out.send(frame)
                    else:
                        seq += 1
                        heapq.heappush(held, (time.monotonic() + args.delay_ms / 1000, seq, out, frame))


if __name__ == "__main__":
    main()
