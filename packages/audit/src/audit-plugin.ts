import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AsyncResource } from 'node:async_hooks';
import { ConfigError, ValidationError, type CallerContext, type ComponentHealth, type SecurityEvent } from '@chatcore/core';
import { familyOf, type OperationContext, type OperationResult, type Plugin, type PluginHost, type RepositorySchema, type TransactionEvent } from '@chatcore/core/plugin';
import { checkValueAllowlist, resolveAuditOptions, type AuditOptions } from './audit-options.js';
import { checkAuditOptions } from './audit-option-keys.js';
import { AUDIT_EVENT_VERSION, type AuditEventBody } from './events/audit-event.js';
import { EventBuilder } from './events/event-builder.js';
import { detectInjection } from './events/injection-detector.js';
import { redactError } from './events/redact-error.js';
import { ReadVolume } from './events/read-volume.js';
import { failedCalls, holdFailure } from './events/implicit-runs.js';
import { HashChain } from './chain/hash-chain.js';
import { CheckpointFile } from './chain/checkpoint-file.js';
import { createWinstonSink } from './sinks/winston-sinks.js';
import { StreamWriter } from './sinks/stream-writer.js';
import { outboxEventRow, outboxSchemas, storedSchemas, type OutboxSchemas } from './outbox/outbox-schema.js';
import { OutboxChainer, chainBatchFor } from './outbox/outbox-chainer.js';
import { OutboxReader } from './outbox/outbox-reader.js';

const DURATION = Symbol('audit.durationMs');

/**
 * What `auditPlugin.stats()` returns: the counters of this process's stream.
 * A plain object, new on every call (JSON.stringify gives all of it).
 *
 * @example
 * ```ts
 * const { sealed, dropped }: AuditStats = db.plugin<AuditPlugin>('audit')!.stats();
 * ```
 */
export interface AuditStats {
  /** The id of this process's chain. */
  readonly stream: string;
  /** Events sealed into this process's chain. */
  readonly sealed: number;
  /** Events accepted and not yet written by the streaming sinks. */
  readonly queued: number;
  /** Events dropped because the queue was full (only with `overflow: 'drop'`). */
  readonly dropped: number;
}

/**
 * The audit plugin: a chatcore Plugin plus a few calls for operators and
 * tests.
 *
 * @example
 * ```ts
 * const auditor = db.plugin<AuditPlugin>('audit')!;
 * await auditor.flush();
 * ```
 */
export interface AuditPlugin extends Plugin {
  /** The id of this process's chain (the `stream` of its events). */
  readonly stream: string;
  /** Wait until every accepted event is handed to the streaming sinks (and, with the outbox, chained). */
  flush(): Promise<void>;
  stats(): AuditStats;
  /** The outbox as a source for verifyAuditTrail (throws without the outbox sink). */
  outboxReader(): OutboxReader;
  /**
   * Record input the application rejected itself: an error event with
   * `stage: 'validation'`, and a security event when a ValidationError looks
   * like an injection attempt. Input core rejects before the plugin onion is
   * recorded already (through `onInvalidInput`): do not pass it here again.
   */
  recordInvalidInput(error: unknown, info: CallerContext & { readonly repository?: string; readonly method?: string }): Promise<void>;
}

/**
 * Create the audit plugin: structured JSON events of every operation,
 * security and performance events, through winston (console, file) and/or
 * an outbox written in each operation's own transaction; every event sealed
 * into a SHA-256 hash chain with checkpoints. List it first (outermost).
 *
 * @example
 * ```ts
 * const db = createDatabase({
 *   driver: pglite(),
 *   repositories: { users },
 *   plugins: [audit({ sinks: { file: 'audit.log' }, checkpoints: { file: 'audit.checkpoints' } }), encryption({ rootKey })],
 * });
 * ```
 */
export function audit(options: AuditOptions = {}): AuditPlugin {
  checkAuditOptions(options);
  const o = resolveAuditOptions(options);
  const builder = new EventBuilder(o);
  // Every run is a chain of its own: a fixed `stream` names the writer, and a run suffix keeps a
  // restart appending to the same trail from starting that chain over at seq 1.
  const run = randomBytes(4).toString('hex');
  const stream = options.stream !== undefined ? `${options.stream}:${run}` : `proc:${hostname()}:${process.pid}:${run}`;
  const schemas: OutboxSchemas | undefined = o.outbox ? outboxSchemas(o.name, o.outbox) : undefined;
  const readVolume = o.readsPerActor ? new ReadVolume(o.readsPerActor.limit, o.readsPerActor.windowMs) : undefined;
  const sinks = options.sinks ?? { console: true };
  let host: PluginHost | undefined;
  let writer: StreamWriter | undefined;
  let chainer: OutboxChainer | undefined;
  let chainTimer: NodeJS.Timeout | undefined;
  let outboxEvents: RepositorySchema | undefined;
  let closed = false;
  /** The async context of connect(), outside any caller's transaction. */
  let outside: AsyncResource | undefined;

  const streaming = Boolean(sinks.console || sinks.file || sinks.transports?.length);

  function getWriter(): StreamWriter | undefined {
    if (writer || closed || !streaming) return writer;
    const sink = createWinstonSink({ console: sinks.console, file: sinks.file, transports: sinks.transports });
    if (!sink) return undefined;
    writer = new StreamWriter(new HashChain(stream), sink, o.checkpointFile ? new CheckpointFile(o.checkpointFile, o.checkpointFileMode) : undefined, {
      capacity: o.capacity,
      overflow: o.overflow,
      batchSize: o.batchSize,
      flushMs: o.flushMs,
      checkpointEvery: o.checkpointEvery,
      droppedEvent: (n) => builder.security({ type: 'events_dropped', message: `${n} audit events were dropped because the audit queue was full`, source: o.name, details: { count: n } }),
    });
    return writer;
  }

  const emit = (body: AuditEventBody): Promise<void> | undefined => getWriter()?.enqueue(body);

  /** Outbox inserts made outside any caller's transaction and not awaited by the caller (flush and close wait for them). */
  const outboxWrites = new Set<Promise<void>>();

  /**
   * Insert an event the operation's transaction must not carry (a failure, a
   * rejection, a rollback, a security event) into the outbox, autocommitted. The returned
   * promise is only for callers outside a transaction: inside one, PGlite's
   * single connection runs the insert after the transaction ends.
   */
  function toOutbox(body: AuditEventBody): Promise<void> | undefined {
    if (!schemas || !host || !outboxEvents || !outside || closed) return undefined;
    const [session, table] = [host.session, outboxEvents];
    // Run in connect()'s async context, not the caller's: PGlite refuses a statement outside a transaction from inside its callback.
    const write: Promise<void> = outside.runInAsyncScope(() => session.insert(table, [outboxEventRow(body)], {})).then(
      () => scheduleChain(),
      (e: unknown) => { process.emitWarning(`chatcore audit: an event could not be written to the outbox (${e instanceof Error ? e.message : String(e)}).`, { code: 'CHATCORE_AUDIT_OUTBOX' }); },
    ).finally(() => outboxWrites.delete(write));
    outboxWrites.add(write);
    return write;
  }

  async function settleOutbox(): Promise<void> {
    while (outboxWrites.size) await Promise.all([...outboxWrites]);
  }

  function report(event: SecurityEvent): void {
    if (host) host.reportSecurityEvent(event);
    else void emit(builder.security(event));
  }

  /** A security event about a caller's operation: its repository, actor, tenant and trace id, with this plugin as the source. */
  function reportAbout(who: CallerContext & { readonly repository?: string | undefined }, type: SecurityEvent['type'], message: string, details: SecurityEvent['details']): void {
    report({ type, message, repository: who.repository, actor: who.actor, tenant: who.tenant, traceId: who.traceId, source: o.name, details });
  }

  /** A security event when rejected input looks like an injection attempt (names the patterns, never the input). */
  function reportInjection(error: unknown, who: CallerContext & { readonly repository?: string | undefined }, method: string): void {
    const patterns = detectInjection(error);
    if (patterns.length) reportAbout(who, 'injection_suspected', 'input rejected by validation looks like an injection attempt', { method, patterns });
  }

  /** A failed call's event; autocommitted to the outbox: a failure is recorded even when its transaction rolls back. */
  async function recordFailure(ctx: OperationContext, body: AuditEventBody, error: unknown): Promise<void> {
    const w = emit(body);
    const row = toOutbox(body);
    reportInjection(error, ctx, ctx.method);
    if (w) await w;
    if (row && !ctx.transaction) await row;
  }

  function scheduleChain(): void {
    if (!chainer || chainTimer || closed) return;
    chainTimer = setTimeout(() => {
      chainTimer = undefined;
      chainer!.chainAll().catch((e: unknown) => process.emitWarning(`chatcore audit: chaining the outbox failed (${e instanceof Error ? e.message : String(e)}); it is retried after the next write.`, { code: 'CHATCORE_AUDIT_CHAIN' }));
    }, o.outbox!.chainDelayMs);
    chainTimer.unref();
  }

  function recordRead(ctx: OperationContext, result: OperationResult, durationMs: number): Promise<void> | undefined {
    if (readVolume && result.rows.length > 0) {
      const hit = readVolume.record(ctx.actor ?? '(anonymous)', result.rows.length);
      if (hit) {
        reportAbout(ctx, 'anomaly', `actor read more than ${readVolume.limit} records within ${readVolume.windowMs} ms`, {
          rule: 'readsPerActor', total: hit.total, limit: readVolume.limit, windowMs: readVolume.windowMs,
        });
      }
    }
    if (!streaming || o.readMode === 'none' || (o.readMode === 'sample' && Math.random() >= o.sampleRate)) return undefined;
    return emit(builder.inCall(ctx, durationMs, result));
  }

  const plugin: AuditPlugin = {
    name: o.name,
    placement: { prefersOutermost: true },
    needsTransactionalWrites: schemas !== undefined,
    stream,

    extendSchema(list) {
      checkValueAllowlist(list, o.includeValues);
      return schemas ? [...list, schemas.events, schemas.links, schemas.head, schemas.checkpoints] : list;
    },

    async connect(h) {
      host = h;
      closed = false;
      outside = new AsyncResource('chatcore-audit-outbox');
      await emit(builder.stream('stream_started', { pid: process.pid, host: hostname() }));
      if (schemas) {
        const stored = storedSchemas(h, schemas);
        outboxEvents = stored.events;
        chainer = new OutboxChainer(h.session, stored, {
          stream: `outbox:${schemas.events.table}`, batch: chainBatchFor(o.outbox!.chainBatch, o.checkpointEvery, h.capabilities), checkpointEvery: o.checkpointEvery,
          onSetAside: (ids) => report({
            type: 'integrity_failure', source: o.name, ids, details: { table: schemas.events.table },
            message: `${ids.length} audit outbox row(s) were unmarked after being chained (tampering); they were not chained again`,
          }),
        });
        // Rows a crashed process left unchained. Not a reason to refuse to connect: with its tables missing
        // (a new database, schema_mode off) the schema check says what to run, and the next write retries.
        await chainer.chainAll().catch((e: unknown) => process.emitWarning(`chatcore audit: chaining the outbox at connect failed (${e instanceof Error ? e.message : String(e)}); it is retried after the next write.`, { code: 'CHATCORE_AUDIT_CHAIN' }));
      }
    },

    async around(op, ctx, next) {
      const result = await next(op);
      const durationMs = performance.now() - ctx.startedAtHr;
      let wait: Promise<void> | undefined;
      if (familyOf(op.kind) === 'read') wait = recordRead(ctx, result, durationMs);
      else {
        // For afterCommit, which records the writes. Reads skip it: core makes the state Map on first use.
        ctx.state.set(DURATION, durationMs);
        if (schemas && host) {
          const body = builder.inCall(ctx, durationMs, result);
          const session = ctx.transaction?.session ?? host.session;
          await session.insert(outboxEvents ?? schemas.events, [outboxEventRow(body)], {});
        }
      }
      // A run in an implicit transaction may be run again (see implicit-runs): afterCommit reports the one that committed.
      if (streaming && durationMs >= o.slowQueryMs && !ctx.transaction?.implicit) {
        const w = emit(builder.performance(ctx, durationMs));
        if (w) await w;
      }
      if (wait) await wait;
      return result;
    },

    async afterCommit(event: TransactionEvent) {
      let waits: Promise<void>[] | undefined;
      for (const c of event.operations) {
        // A call that failed was recorded as failed by onError, not as a write.
        if (familyOf(c.op.kind) === 'read' || c.failed) continue;
        if (streaming) {
          const durationMs = (c.ctx.state.get(DURATION) as number | undefined) ?? performance.now() - c.ctx.startedAtHr;
          if (c.ctx.transaction?.implicit && durationMs >= o.slowQueryMs) {
            const p = emit(builder.performance(c.ctx, durationMs));
            if (p) (waits ??= []).push(p);
          }
          const w = emit(builder.operation(c.ctx, { durationMs, attempt: event.attempt, transactionId: event.implicit ? undefined : event.transactionId, result: c.result, ids: c.ids }));
          if (w) (waits ??= []).push(w);
        }
        if (o.bulkDeleteLimit !== undefined && c.op.kind === 'delete' && c.ids.length > o.bulkDeleteLimit) {
          reportAbout(c.ctx, 'anomaly', `a delete removed ${c.ids.length} ${c.ctx.repository} records (limit ${o.bulkDeleteLimit})`, {
            rule: 'bulkDelete', count: c.ids.length, limit: o.bulkDeleteLimit,
          });
        }
      }
      if (schemas && event.operations.some((c) => familyOf(c.op.kind) !== 'read' && !c.failed)) scheduleChain();
      if (waits) await Promise.all(waits);
    },

    async afterRollback(event: TransactionEvent) {
      // The one outcome of a call whose implicit transaction ends here (none when the call runs again).
      const failed = failedCalls(event, builder);
      if (failed.length) await Promise.all(failed.map((f) => recordFailure(f.ctx, f.body, f.error)));
      // Refused for its size and run again without a transaction: that run records the call's one outcome.
      if (event.rerun) return;
      const operations = event.operations.filter((c) => !c.failed);
      if (!o.recordRollbacks || !operations.some((c) => familyOf(c.op.kind) !== 'read')) return;
      const body = builder.rollback(operations.length === event.operations.length ? event : { ...event, operations });
      // The transaction is over: the outbox row is autocommitted.
      await Promise.all([emit(body), toOutbox(body)]);
    },

    async onError({ ctx, error }) {
      const durationMs = performance.now() - ctx.startedAtHr;
      const body = builder.inCall(ctx, durationMs, undefined, error);
      if (!holdFailure({ ctx, body, error })) await recordFailure(ctx, body, error);
    },

    async onSecurityEvent(event) {
      const body = builder.security(event);
      const w = emit(body);
      // Autocommitted, not part of a caller's transaction. Not awaited: the event may be raised inside one
      // (an integrity failure on a read in db.transaction), where PGlite runs the insert after it ends (flush waits for it).
      toOutbox(body);
      if (w) await w;
    },

    onInvalidInput(event) {
      return plugin.recordInvalidInput(event.error, { ...event.context, repository: event.repository, method: event.method });
    },

    async recordInvalidInput(error, info) {
      const body: AuditEventBody = {
        v: AUDIT_EVENT_VERSION, type: 'operation', time: new Date().toISOString(), traceId: info.traceId, actor: info.actor, tenant: info.tenant,
        repository: info.repository, method: info.method, outcome: 'error', stage: 'validation', ids: [], count: 0,
        error: redactError(error) as unknown as AuditEventBody[string],
      };
      const w = emit(body);
      // Not awaited: the call may be inside a transaction (flush waits for it).
      toOutbox(body);
      if (error instanceof ValidationError) reportInjection(error, info, info.method ?? 'unknown');
      if (w) await w;
    },

    async flush() {
      // A report may be in flight through the host (a microtask): let it land first (its outbox row included).
      await new Promise((r) => setImmediate(r));
      await settleOutbox();
      if (chainer) await chainer.chainAll();
      // And one raised while chaining (rows set aside) reaches the streaming sinks.
      await new Promise((r) => setImmediate(r));
      await writer?.flush();
    },

    stats() {
      return { stream, sealed: writer?.chain.seq ?? 0, queued: writer?.size ?? 0, dropped: writer?.dropped ?? 0 };
    },

    outboxReader() {
      if (!schemas || !host) throw new ConfigError('audit: outboxReader() needs sinks.outbox and a connected database.');
      return new OutboxReader(host.session, storedSchemas(host, schemas));
    },

    health(): ComponentHealth[] {
      const failed = writer?.error;
      const s = plugin.stats();
      return [{
        name: o.name,
        status: failed ? 'down' : s.dropped > 0 ? 'degraded' : 'up',
        details: { ...s },
        ...(failed ? { error: `audit sink failed: ${redactError(failed).class}` } : {}),
      }];
    },

    async close() {
      if (closed) return;
      await new Promise((r) => setImmediate(r));
      await settleOutbox();
      if (chainTimer) { clearTimeout(chainTimer); chainTimer = undefined; }
      try {
        if (chainer) {
          await chainer.chainAll();
          await chainer.checkpointHead();
        }
      } finally {
        // The file stream ends whatever the outbox did (its error still reaches db.close()): a stream
        // without stream_closed and its checkpoint reads as a crash, or as a forgery.
        await new Promise((r) => setImmediate(r));
        const w = writer;
        if (w) {
          // Admitted even when the queue is full under overflow 'drop': a clean shutdown must not look like a crash.
          w.finish((dropped) => builder.stream('stream_closed', { sealed: w.chain.seq + 1, dropped }));
          closed = true;
          await w.close();
        }
        closed = true;
      }
    },
  };
  return plugin;
}
