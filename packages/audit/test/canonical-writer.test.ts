import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRepository, f } from '@chatcore/core';
import { type Operation, type OperationContext, type OperationResult } from '@chatcore/core/plugin';
import { canonicalJson, HashChain, hashEvent, verifyAuditTrail, type SealedAuditEvent } from '@chatcore/audit';
import { canonicalJsonWith, jsonString } from '../src/chain/canonical-json.js';
import { writeOperationJson, type OperationEventFields } from '../src/events/operation-json.js';
import { EventBuilder } from '../src/events/event-builder.js';
import { resolveAuditOptions } from '../src/audit-options.js';
import { isoNow } from '../src/events/iso-now.js';

const notes = defineRepository('notes', { id: f.id(), title: f.string({ max: 200 }), meta: f.json(), score: f.integer() });
const schema = notes.schema;
const HEAD = 'ab'.repeat(32);
const generic = (body: object, seq: number, stream: string) => canonicalJsonWith(body as Record<string, unknown>, ['prevHash', 'seq', 'stream'], [HEAD, seq, stream]);

function ctx(operation: Operation, extra: Partial<OperationContext> = {}): OperationContext {
  return {
    repository: 'notes', method: operation.kind === 'get' ? 'get' : 'create', operation, traceId: 'trace-1', actor: undefined, tenant: undefined,
    attempt: 1, startedAt: Date.now(), startedAtHr: performance.now(), signal: undefined, options: {}, transaction: undefined, state: new Map(), ...extra,
  } as OperationContext;
}

const builder = new EventBuilder(resolveAuditOptions({ includeValues: { notes: ['title', 'meta', 'score'] }, maxIds: 2 }));
const get: Operation = { kind: 'get', schema, ids: ['n1'] } as Operation;
const insert = (rows: Record<string, unknown>[]): Operation => ({ kind: 'insert', schema, rows } as unknown as Operation);
const rowsOf = (...ids: string[]): OperationResult => ({ rows: ids.map((id) => ({ id })) });

const cases: Array<[string, OperationEventFields]> = [
  ['a get', builder.operation(ctx(get), { durationMs: 0.0251, attempt: 1, result: rowsOf('n1') }) as never],
  ['a get with actor, tenant and a transaction', builder.operation(ctx(get, { actor: 'user:"7"', tenant: 't\u0001' }), { durationMs: 3, attempt: 2, transactionId: 'tx-9', result: { rows: [{ id: 'n1' }], servedBy: 'cache' } }) as never],
  ['a get answered by the cache\'s shared tier', builder.operation(ctx(get), { durationMs: 0.5, attempt: 1, result: { rows: [{ id: 'n1' }], servedBy: 'cache:shared' } }) as never],
  ['a get answered by another plugin', builder.operation(ctx(get), { durationMs: 0.5, attempt: 1, result: { rows: [{ id: 'n1' }], servedBy: 'replica:eu' } }) as never],
  ['an insert with values holding an unordered object', builder.operation(ctx(insert([{ id: 'n2', title: 'caf\u00e9 \ud83d\ude00 "q" \\ \n', meta: { z: 1, a: [{ y: null, b: 'x' }] }, score: 5 }])), { durationMs: 1, attempt: 1, result: rowsOf('n2') }) as never],
  ['a bulk insert with truncated ids', builder.operation(ctx(insert([{ id: 'a', title: 'x' }, { id: 'b', title: 'y' }, { id: 'c', title: '\ud800 lone' }])), { durationMs: 1, attempt: 1, result: rowsOf('a', 'b', 'c') }) as never],
  ['a failed operation', builder.operation(ctx(get), { durationMs: Number.NaN, attempt: 1, error: new TypeError('boom') }) as never],
];

for (const [name, body] of cases) {
  test(`the operation writer gives the generic canonical JSON: ${name}`, () => {
    assert.is(writeOperationJson(body, HEAD, 42, 'proc:h:1:"x"'), generic(body, 42, 'proc:h:1:"x"'));
  });
}

test('the operation writer omits undefined members, time, type and v included', () => {
  const bare = { time: undefined, type: undefined, v: undefined } as unknown as OperationEventFields;
  assert.is(writeOperationJson(bare, HEAD, 1, 's'), generic(bare, 1, 's'));
});

test('jsonString writes what JSON.stringify writes', () => {
  for (const s of ['', 'plain', 'a"b', 'back\\slash', 'ctl\u0000\u001f', '\u2028\u2029\u007f', '\ud83d\ude00', '\udc00x', 'x\ud800']) {
    assert.is(jsonString(s), JSON.stringify(s), JSON.stringify(s));
  }
});

test('an operation event sealed with the writer verifies, and hashes as the generic form', async () => {
  const chain = new HashChain('proc:test:1:w');
  const lines = cases.map(([, body]) => chain.sealLine(body as never));
  const events = lines.map((l) => JSON.parse(l) as SealedAuditEvent);
  for (const e of events) {
    const { hash, ...rest } = e;
    assert.is(hashEvent(e.prevHash, rest), hash);
    assert.is(lines[events.indexOf(e)], `${canonicalJson(rest).slice(0, -1)},"hash":"${hash}"}`);
  }
  const report = await verifyAuditTrail(events, [{ stream: 'proc:test:1:w', seq: events.length, hash: chain.hash }]);
  assert.ok(report.ok, JSON.stringify(report.problem));
});

test('isoNow is the current time as toISOString writes it', () => {
  const before = Date.now();
  const t = isoNow();
  const ms = Date.parse(t);
  assert.ok(ms >= before && ms <= Date.now());
  assert.is(new Date(ms).toISOString(), t);
});

test.run();
