import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashChain, verifyAuditTrail, canonicalJson, type AuditCheckpoint, type SealedAuditEvent } from '@chatcore/audit';

function trail(n: number, stream = 'proc:test:1:a'): { events: SealedAuditEvent[]; checkpoints: AuditCheckpoint[] } {
  const chain = new HashChain(stream);
  const events: SealedAuditEvent[] = [];
  for (let i = 0; i < n; i++) {
    events.push(chain.seal({ v: 1, type: 'operation', time: new Date(1_700_000_000_000 + i).toISOString(), repository: 'users', method: 'create', ids: [`id-${i}`], count: 1, outcome: 'ok' }));
  }
  return { events, checkpoints: [{ stream, seq: n, hash: chain.hash }] };
}

test('canonical JSON sorts keys at every depth and omits undefined members', () => {
  assert.is(canonicalJson({ b: 1, a: { d: [1, { y: true, x: null }], c: 'x' }, u: undefined }), '{"a":{"c":"x","d":[1,{"x":null,"y":true}]},"b":1}');
});

test('an untouched trail verifies, with per-stream counts', async () => {
  const { events, checkpoints } = trail(20);
  const report = await verifyAuditTrail(events, checkpoints);
  assert.ok(report.ok, JSON.stringify(report.problem));
  assert.is(report.events, 20);
  assert.is(report.streams[0]!.lastSeq, 20);
  assert.is(report.streams[0]!.checkpointSeq, 20);
});

test('a modified event is reported as modified at its position', async () => {
  const { events, checkpoints } = trail(20);
  events[6] = { ...events[6]!, ids: ['someone-else'] };
  const report = await verifyAuditTrail(events, checkpoints);
  assert.is(report.ok, false);
  assert.is(report.problem?.kind, 'modified');
  assert.is(report.problem?.position, 7);
});

test('a modified and re-hashed event is reported as modified (the next link breaks)', async () => {
  const { events, checkpoints } = trail(20);
  const { hash: _h, seq: _s, prevHash: _p, ...body } = events[5]!;
  const forged = new HashChain('proc:test:1:a', { seq: 5, hash: events[4]!.hash }).seal({ ...body, ids: ['forged'] } as never);
  events[5] = forged;
  const report = await verifyAuditTrail(events, checkpoints);
  assert.is(report.problem?.kind, 'modified');
  assert.is(report.problem?.position, 6);
});

test('a deleted event is reported as deleted at the position where it is missing', async () => {
  const { events, checkpoints } = trail(20);
  events.splice(9, 1);
  const report = await verifyAuditTrail(events, checkpoints);
  assert.is(report.problem?.kind, 'deleted');
  assert.is(report.problem?.position, 10);
  assert.is(report.problem?.expectedSeq, 10);
});

test('two swapped events are reported as reordered at the first of them', async () => {
  const { events, checkpoints } = trail(20);
  [events[3], events[12]] = [events[12]!, events[3]!];
  const report = await verifyAuditTrail(events, checkpoints);
  assert.is(report.problem?.kind, 'reordered');
  assert.is(report.problem?.position, 4);
  assert.is(report.problem?.seq, 13);
  assert.is(report.problem?.expectedSeq, 4);
});

test('a truncated tail is detected against the latest checkpoint', async () => {
  const { events, checkpoints } = trail(20);
  const cut = events.slice(0, 15);
  const report = await verifyAuditTrail(cut, checkpoints);
  assert.is(report.problem?.kind, 'truncated');
  assert.is(report.problem?.position, 16);
  assert.is(report.problem?.seq, 15);
  assert.is(report.problem?.expectedSeq, 20);
  const without = await verifyAuditTrail(cut);
  assert.ok(without.ok, 'without checkpoints a clean cut at the tail cannot be seen (documented)');
});

test('a chain rewritten from the start is caught by a checkpoint', async () => {
  const { events, checkpoints } = trail(20);
  const chain = new HashChain('proc:test:1:a');
  const rewritten = events.map(({ hash: _h, seq: _s, prevHash: _p, ...body }, i) => chain.seal({ ...body, ids: i === 2 ? ['forged'] : body.ids } as never));
  const report = await verifyAuditTrail(rewritten, checkpoints);
  assert.is(report.problem?.kind, 'modified');
  assert.is(report.problem?.position, 20);
});

/** A stream that ends with stream_closed, its checkpoint at the close as the writer writes it. */
function closedTrail(n: number, stream: string): { chain: HashChain; events: SealedAuditEvent[]; checkpoints: AuditCheckpoint[] } {
  const chain = new HashChain(stream);
  const events: SealedAuditEvent[] = [chain.seal({ v: 1, type: 'audit', time: new Date(1_700_000_000_000).toISOString(), action: 'stream_started' })];
  for (let i = 1; i < n - 1; i++) events.push(chain.seal({ v: 1, type: 'operation', time: new Date(1_700_000_000_000 + i).toISOString(), method: 'create', ids: [`id-${i}`], count: 1, outcome: 'ok' }));
  events.push(chain.seal({ v: 1, type: 'audit', time: new Date(1_700_000_000_000 + n).toISOString(), action: 'stream_closed', sealed: n, dropped: 0 }));
  return { chain, events, checkpoints: [{ stream, seq: n, hash: chain.hash }] };
}

test('re-hashed events appended after stream_closed are reported as appended', async () => {
  const { chain, events, checkpoints } = closedTrail(10, 'proc:test:1:c');
  assert.ok((await verifyAuditTrail(events, checkpoints)).ok);
  // Chained on correctly from the closing event, but after it: the writer never does that.
  events.push(chain.seal({ v: 1, type: 'operation', time: new Date().toISOString(), method: 'delete', ids: ['x'], count: 1, outcome: 'ok' }));
  const report = await verifyAuditTrail(events, checkpoints);
  assert.equal([report.problem?.kind, report.problem?.seq, report.problem?.position], ['appended', 11, 11]);
});

test('with checkpoints, an invented closed stream without any is unanchored; one that did not close is a warning', async () => {
  const real = closedTrail(10, 'proc:test:1:real');
  const invented = closedTrail(5, 'proc:test:1:invented');
  let report = await verifyAuditTrail([...real.events, ...invented.events], real.checkpoints);
  assert.equal([report.problem?.kind, report.problem?.stream, report.problem?.position], ['unanchored', 'proc:test:1:invented', 11]);
  // Without stream_closed it looks like a writer that stopped before its first checkpoint.
  report = await verifyAuditTrail([...real.events, ...invented.events.slice(0, -1)], real.checkpoints);
  assert.ok(report.ok, JSON.stringify(report.problem));
  assert.is(report.warnings.length, 1);
  assert.match(report.warnings[0]!, /proc:test:1:invented .* no checkpoint/);
  // Without checkpoints nothing is claimed about them.
  report = await verifyAuditTrail([...real.events, ...invented.events]);
  assert.ok(report.ok);
  assert.equal(report.warnings, []);
});

test('checkpoints given but none (an empty list or file): a closed stream is unanchored, one that did not close a warning', async () => {
  const { events } = closedTrail(6, 'proc:test:1:none');
  let report = await verifyAuditTrail(events, []);
  assert.equal([report.ok, report.problem?.kind, report.problem?.stream], [false, 'unanchored', 'proc:test:1:none']);
  report = await verifyAuditTrail(events.slice(0, -1), []);
  assert.ok(report.ok, JSON.stringify(report.problem));
  assert.is(report.warnings.length, 1);
  assert.match(report.warnings[0]!, /proc:test:1:none \(seq 1\.\.5\) has no checkpoint and no stream_closed/);
  const dir = await mkdtemp(join(tmpdir(), 'audit-verify-empty-'));
  try {
    const [file, cps] = [join(dir, 'audit.log'), join(dir, 'audit.checkpoints')];
    await writeFile(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    await writeFile(cps, '');
    assert.is((await verifyAuditTrail(file, cps)).problem?.kind, 'unanchored');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('files: each tampering kind is found at its line; interleaved streams verify separately', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'audit-verify-'));
  try {
    const a = trail(10, 'proc:a');
    const b = trail(10, 'proc:b');
    const lines: string[] = [];
    for (let i = 0; i < 10; i++) lines.push(JSON.stringify(a.events[i]), JSON.stringify(b.events[i]));
    const file = join(dir, 'audit.log');
    const cps = join(dir, 'audit.checkpoints');
    await writeFile(file, lines.join('\n') + '\n');
    await writeFile(cps, [...a.checkpoints, ...b.checkpoints].map((c) => JSON.stringify(c)).join('\n') + '\n');
    assert.ok((await verifyAuditTrail(file, cps)).ok);

    const edit = [...lines];
    edit[4] = edit[4]!.replace('"outcome":"ok"', '"outcome":"error"');
    await writeFile(file, edit.join('\n') + '\n');
    let r = await verifyAuditTrail(file, cps);
    assert.equal([r.problem?.kind, r.problem?.line], ['modified', 5]);

    await writeFile(file, lines.filter((_, i) => i !== 6).join('\n') + '\n');
    r = await verifyAuditTrail(file, cps);
    assert.equal([r.problem?.kind, r.problem?.line, r.problem?.stream], ['deleted', 8, 'proc:a']);

    await writeFile(file, lines.slice(0, 17).join('\n') + '\n');
    r = await verifyAuditTrail(file, cps);
    assert.is(r.problem?.kind, 'truncated');

    await writeFile(file, lines.join('\n') + '\nnot json\n');
    r = await verifyAuditTrail(file, cps);
    assert.equal([r.problem?.kind, r.problem?.line], ['malformed', 21]);
    assert.ok((await readFile(cps, 'utf8')).includes('proc:b'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
