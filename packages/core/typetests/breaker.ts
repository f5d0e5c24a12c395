// The probed breaker drivers share: its settings and run().
// Each @ts-expect-error line has a twin right below it that compiles.
import { ConnectionError } from '@chatcore/core';
import { ProbedBreaker, resolveBreakerOptions } from '@chatcore/core/driver';

export async function breaker(): Promise<void> {
  const base = {
    counts: (e: unknown) => e instanceof ConnectionError,
    isSessionLoss: () => false,
    probeEveryMs: 50,
    lossEvidence: (e: unknown) => e,
    openError: (cause: Error) => new ConnectionError('open; nothing was sent', { cause }),
  };
  // @ts-expect-error options are resolved ones (resolveBreakerOptions), not the raw shape
  new ProbedBreaker({ ...base, options: { failures: 3, halfOpenAfter: '1s' } });
  const b = new ProbedBreaker({ ...base, options: resolveBreakerOptions({ failures: 3, halfOpenAfter: '1s' }) });
  // @ts-expect-error the probe interval is a number of ms
  new ProbedBreaker({ ...base, options: b.options, probeEveryMs: '50ms' });
  new ProbedBreaker({ ...base, options: b.options, probeEveryMs: 50 });
  // @ts-expect-error run takes a function returning a promise
  await b.run(42);
  const n: number = await b.run(() => Promise.resolve(42));
  // @ts-expect-error ignore is a predicate on the failure
  await b.run(() => Promise.resolve(n), true);
  await b.run(() => Promise.resolve(n), (e) => e instanceof ConnectionError);
  // @ts-expect-error state is read-only
  b.state = 'closed';
  const s: 'closed' | 'open' | 'half-open' | 'isolated' = b.state;
  void s;
}
