import { connect, type Socket } from 'node:net';

/**
 * Pings a Redis server every few milliseconds from the test process and
 * records when it was not answering: while it is down or frozen, and also
 * when it stalls on a loaded machine without any signal from the test. A
 * stale read can then be measured from the moment Redis was reachable
 * again, which is what the coherence target is about.
 */
export interface ReachabilityProbe {
  /** Periods [from, to] (ms, wall clock) in which a PING went unanswered for more than `stallMs`. */
  readonly gaps: ReadonlyArray<readonly [number, number]>;
  /** The end of the last gap that began before `t` (or -Infinity); Infinity if one is still open at `t`. */
  reachableSince(t: number): number;
  stop(): void;
}

const now = () => performance.timeOrigin + performance.now();

export function probeReachability(port: number, options: { everyMs?: number; stallMs?: number } = {}): ReachabilityProbe {
  const everyMs = options.everyMs ?? 5;
  const stallMs = options.stallMs ?? 40;
  const gaps: Array<[number, number]> = [];
  let stopped = false;
  /** Since when the current PING (or connection attempt) has been waiting; undefined when answered. */
  let waitingSince: number | undefined;
  let socket: Socket | undefined;
  const answered = () => {
    const t = now();
    const from = waitingSince ?? t;
    if (t - from > stallMs) gaps.push([from, t]);
    waitingSince = undefined;
  };
  const ping = () => new Promise<boolean>((resolve) => {
    if (!socket) {
      socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
    }
    const s = socket;
    const done = (ok: boolean) => {
      s.off('data', onData);
      s.off('close', onClose);
      if (!ok && socket === s) socket = undefined;
      resolve(ok);
    };
    const onData = () => done(true);
    const onClose = () => done(false);
    s.once('data', onData);
    s.once('close', onClose);
    s.write('PING\r\n');
  });
  const loop = async () => {
    while (!stopped) {
      waitingSince ??= now();
      if (await ping()) answered();
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  void loop();
  return {
    gaps,
    reachableSince(t: number): number {
      if (waitingSince !== undefined && waitingSince <= t && now() - waitingSince > stallMs) return Infinity;
      let since = -Infinity;
      for (const [from, to] of gaps) if (from <= t) since = Math.max(since, to);
      return since;
    },
    stop() {
      stopped = true;
      socket?.destroy();
    },
  };
}
