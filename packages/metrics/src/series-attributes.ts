import type { Attributes } from '@opentelemetry/api';
import type { Outcome } from './outcome.js';

/**
 * What the spans and OTel records of one repository × operation carry,
 * made once: a call then allocates no name, key or attributes object of
 * its own. The OTel SDK hashes a record's attributes on every call, so the
 * duration histogram carries only what the database client conventions
 * ask for (`db.system.name`, `db.collection.name`, `db.operation.name`,
 * `error.type` on failure); spans also carry the older `db.system`.
 */
export class SeriesAttributes {
  /** The span name, `{operation} {repository}`. */
  readonly spanName: string;
  /** A span's attributes at its start. */
  readonly span: Attributes;
  /** The in-flight counter's attributes. */
  readonly inFlight: Attributes;
  private readonly recorded = new Map<Outcome, Attributes>();
  private readonly counted = new Map<Outcome, Attributes>();

  constructor(system: string, repository: string, operation: string) {
    this.spanName = `${operation} ${repository}`;
    this.inFlight = Object.freeze({ 'db.system.name': system, 'db.collection.name': repository, 'db.operation.name': operation });
    this.span = Object.freeze({ 'db.system': system, ...this.inFlight });
  }

  /** The duration histogram's attributes for a call that ended with `outcome`. */
  duration(outcome: Outcome): Attributes {
    return outcome === 'ok' ? this.inFlight : this.cached(this.recorded, outcome, () => ({ ...this.inFlight, 'error.type': outcome }));
  }

  /** The call counter's attributes: the outcome as `chatcore.outcome`, and `error.type` on failure. */
  calls(outcome: Outcome): Attributes {
    return this.cached(this.counted, outcome, () => ({ ...this.duration(outcome), 'chatcore.outcome': outcome }));
  }

  private cached(table: Map<Outcome, Attributes>, outcome: Outcome, make: () => Attributes): Attributes {
    let a = table.get(outcome);
    if (!a) table.set(outcome, (a = Object.freeze(make())));
    return a;
  }
}
