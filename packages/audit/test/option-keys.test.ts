import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@chatcore/core';
import { audit, type AuditOptions } from '../src/index.js';

// audit() options built in a variable (or in JavaScript) escape tsc's
// excess-property check: a misspelt key must be refused, not ignored (the
// trail would silently go to the default sink, or nowhere).

function refused(options: unknown, message: string): void {
  try {
    audit(options as AuditOptions);
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, message);
    return;
  }
  assert.unreachable(`accepted ${message}`);
}

test('sink (meant: sinks) is refused with a hint', () => {
  refused({ sink: 'file' }, 'audit.sink: unknown option (did you mean sinks?)');
});

test('unknown keys of sinks, a sink, the queue and anomalies are refused by path, and no file is opened', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'chatcore-audit-keys-')), 'audit.log');
  refused({ sinks: { files: path } }, 'audit.sinks.files: unknown option (did you mean file?)');
  refused({ sinks: { file: { path, filemode: 0o600 } } }, 'audit.sinks.file.filemode: unknown option (did you mean fileMode?)');
  refused({ queue: { capacty: 10 } }, 'audit.queue.capacty: unknown option (did you mean capacity?)');
  refused({ anomalies: { bulkDeletes: { limit: 5 } } }, 'audit.anomalies.bulkDeletes: unknown option (did you mean bulkDelete?)');
  refused({ sinks: { file: { path, rotate: { maxsize: '10m', maxFiles: 3 } } } }, 'audit.sinks.file.rotate.maxsize: unknown option (did you mean maxSize?)');
  assert.is(existsSync(path), false);
});

test('known keys set to undefined stay allowed', () => {
  audit({ sinks: { console: undefined }, queue: { capacity: undefined }, stream: undefined });
});

test.run();
