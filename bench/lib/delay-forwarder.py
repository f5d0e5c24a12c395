"""A TCP forwarder that delays every chunk by a fixed time in each direction.

Usage: python3 delay-forwarder.py ONE_WAY_MS TARGET_HOST TARGET_PORT
Listens on 127.0.0.1 (a free port, printed as the first line of stdout) and
forwards each connection to TARGET, holding every chunk read from either side
for ONE_WAY_MS before writing it on: a round trip through it takes
2 x ONE_WAY_MS longer, in order, with no bandwidth limit (a pipe with latency).
A line on stdin sets a new ONE_WAY_MS (to calibrate against a measurement);
the end of stdin (its parent exited, however) ends the forwarder.

Threads sleep on a monotonic-clock condition wait, not on an event loop's
timer (asyncio and Node timers have 1 ms granularity), with the timer slack
set to 1 ns: a wait of 250 us ends after ~275 us here. Each delayed round
trip still costs ~0.1-0.3 ms more than configured (thread wake-ups, two extra
loopback hops, a loaded machine): the relations benchmark tunes the delay
against a measured `select 1` round trip for that reason (see delay-link.ts).
"""
import collections
import ctypes
import os
import socket
import sys
import threading
import time


# One-way delay in seconds; stdin lines replace it.
DELAY = [0.0]


def pump(src, dst):
    queue = collections.deque()
    cond = threading.Condition()

    def read():
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b''
            with cond:
                queue.append((time.monotonic() + DELAY[0], data))
                cond.notify()
            if not data:
                return

    def write():
        while True:
            with cond:
                while not queue:
                    cond.wait()
                due = queue[0][0]
                now = time.monotonic()
                if now < due:
                    cond.wait(due - now)
                    continue
                chunks = []
                while queue and queue[0][0] <= now:
                    chunks.append(queue.popleft()[1])
            ended = chunks[-1] == b''
            try:
                dst.sendall(b''.join(chunks))
                if ended:
                    dst.shutdown(socket.SHUT_WR)
            except OSError:
                ended = True
            if ended:
                return

    threading.Thread(target=read, daemon=True).start()
    threading.Thread(target=write, daemon=True).start()


def retune():
    for line in sys.stdin:
        DELAY[0] = max(0.0, float(line) / 1000)
    # stdin closed: the benchmark that started us is gone (even if killed), so go too.
    os._exit(0)


def main():
    # Wake-ups on time: no 50 us timer slack (threads inherit it), quick GIL hand-over.
    try:
        ctypes.CDLL(None).prctl(29, 1, 0, 0, 0)  # PR_SET_TIMERSLACK, 1 ns
    except (OSError, AttributeError):
        pass
    sys.setswitchinterval(0.0001)
    DELAY[0] = float(sys.argv[1]) / 1000
    threading.Thread(target=retune, daemon=True).start()
    target = (sys.argv[2], int(sys.argv[3]))
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', 0))
    server.listen(64)
    print(server.getsockname()[1], flush=True)
    while True:
        client, _ = server.accept()
        try:
            upstream = socket.create_connection(target)
        except OSError as err:
            print(f'delay-forwarder: cannot reach {target}: {err}', file=sys.stderr)
            client.close()
            continue
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pump(client, upstream)
        pump(upstream, client)


if __name__ == '__main__':
    main()
