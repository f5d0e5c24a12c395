import { Worker } from 'node:worker_threads';

/**
 * Pings a Redis server every few milliseconds and records when it was not
 * answering: while it is down or frozen, and also when it stalls on a
 * loaded machine without any signal from the test. A stale read can then
 * be measured from the moment Redis was reachable again, which is what the
 * coherence target is about. The pings run on a worker thread of their
 * own, so a busy test loop cannot pass for a Redis stall.
 */
export interface ReachabilityProbe {
  /** Stop, and the periods [from, to] (ms, wall clock) in which a PING went unanswered for more than `stallMs`. */
  stop(): Promise<ReadonlyArray<readonly [number, number]>>;
}

/** The end of the last gap that began at or before `t` (-Infinity if none); it may end after `t` (Redis was not reachable at `t`). */
export function reachableSince(gaps: ReadonlyArray<readonly [number, number]>, t: number): number {
  let since = -Infinity;
  for (const [from, to] of gaps) if (from <= t) since = Math.max(since, to);
  return since;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { connect } = require('node:net');
const { port, everyMs, stallMs } = workerData;
const now = () => performance.timeOrigin + performance.now();
const gaps = [];
let stopped = false;
let waitingSince;
let socket;
const ping = () => new Promise((resolve) => {
  // A connection closed between two pings (Redis killed) is replaced, not written to.
  if (!socket || socket.destroyed) {
    socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
  }
  const s = socket;
  // A connection that never answers (one made while Redis restarted) is dropped for a new one.
  const timer = setTimeout(() => s.destroy(), 250);
  const done = (ok) => {
    clearTimeout(timer);
    s.off('data', onData);
    s.off('close', onClose);
    if (!ok && socket === s) socket = undefined;
    resolve(ok);
  };
  const onData = () => done(true);
  const onClose = () => done(false);
  s.once('data', onData);
  s.once('close', onClose);
  s.write('PING\\r\\n');
});
parentPort.on('message', () => {
  stopped = true;
  const t = now();
  if (waitingSince !== undefined && t - waitingSince > stallMs) gaps.push([waitingSince, t]);
  parentPort.postMessage(gaps);
  socket?.destroy();
});
(async () => {
  while (!stopped) {
    waitingSince ??= now();
    if (await ping()) {
      const t = now();
      if (t - waitingSince > stallMs) gaps.push([waitingSince, t]);
      waitingSince = undefined;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
})();
`;

export function probeReachability(port: number, options: { everyMs?: number; stallMs?: number } = {}): ReachabilityProbe {
  const worker = new Worker(WORKER, { eval: true, workerData: { port, everyMs: options.everyMs ?? 5, stallMs: options.stallMs ?? 100 } });
  return {
    async stop() {
      const gaps = new Promise<Array<[number, number]>>((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      const result = await gaps;
      await worker.terminate();
      return result;
    },
  };
}
