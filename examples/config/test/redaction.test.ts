import { test } from 'uvu';
import '@chatcore/encryption';
import '@chatcore/cache';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { format } from 'node:util';
import { loadConfig, resolveDatabaseConfig, SecretValue, stringifyConfig } from '@chatcore/core/config';
import { leakedMarkers } from '@chatcore/core/testing';

const marker = (name: string) => `${name}-${randomBytes(9).toString('hex')}`;
// Keys are checked as encryption() checks them (32 bytes), so key markers are real keys: 64 random hex digits.
const keyMarker = () => randomBytes(32).toString('hex');

test('a loaded configuration prints none of its secrets (inspect at every depth, JSON), yet its values read as plain strings', () => {
  const m = {
    dbPassword: marker('dbpw'), replicaPassword: marker('replpw'), sslKey: marker('sslkey'),
    key: keyMarker(), indexKey: keyMarker(), redisPassword: marker('redispw'),
  };
  const yaml = [
    'database:',
    '  backend: postgres',
    '  url: postgres://app:${DB_PASSWORD}@db.internal:5432/chat',
    '  replica_urls: ["postgres://app:${REPLICA_PASSWORD}@replica:5432/chat"]',
    '  ssl:',
    '    key: ${SSL_KEY}',
    'encryption:',
    '  keys:',
    '    - { id: k1, key: "${KEY}", active: true }',
    '  blind_index: { key: "${INDEX_KEY}" }',
    'cache:',
    '  redis_url: redis://:${REDIS_PASSWORD}@cache:6379',
    '',
  ].join('\n');
  const config = loadConfig(yaml, { env: { DB_PASSWORD: m.dbPassword, REPLICA_PASSWORD: m.replicaPassword, SSL_KEY: m.sslKey, KEY: m.key, INDEX_KEY: m.indexKey, REDIS_PASSWORD: m.redisPassword } });
  const markers = Object.values(m);
  assert.equal(leakedMarkers(config, markers), []);
  assert.equal(leakedMarkers(config.database, markers), []);
  assert.equal(leakedMarkers(config.encryption!.keys, markers), []);
  assert.equal(leakedMarkers(format('%o %j %s', config, config, config.database), markers), []);
  assert.equal(leakedMarkers(stringifyConfig(config), markers), []);
  // Readers are unchanged: plugin factories still get strings.
  // assert.ok rather than assert.is: a failure must not print the secrets.
  assert.ok(config.database.url === `postgres://app:${m.dbPassword}@db.internal:5432/chat`, 'database.url reads as the plain string');
  assert.ok(config.encryption!.keys![0]!.key === m.key, 'keys[0].key reads as the plain string');
  assert.ok(config.cache!.redisUrl === `redis://:${m.redisPassword}@cache:6379`, 'redisUrl reads as the plain string');
  assert.match(JSON.stringify(config), /"url":"\[redacted\]"/);
  assert.match(JSON.stringify(config), /"host":|"backend":"postgres"/);
});

test('passphrase, its salt, a root key and a password set next to a host are redacted too', () => {
  const m = { passphrase: marker('passphrase'), salt: marker('salt'), password: marker('pw') };
  const pass = loadConfig('database:\n  backend: postgres\n  host: db\n  password: ${PW}\nencryption:\n  passphrase: ${PASSPHRASE}\n  passphrase_salt: ${SALT}\n', {
    env: { PW: m.password, PASSPHRASE: m.passphrase, SALT: m.salt },
  });
  assert.equal(leakedMarkers(pass, Object.values(m)), []);
  const root = keyMarker();
  assert.equal(leakedMarkers(loadConfig('encryption:\n  root_key: ${ROOT}\n', { env: { ROOT: root } }), [root]), []);
  const ts = resolveDatabaseConfig({ backend: 'postgres', host: 'db', password: m.password });
  assert.equal(leakedMarkers(ts, [m.password]), []);
  assert.ok(ts.password === m.password, 'password reads as the plain string');
});

test('SecretValue prints [redacted] everywhere and gives the value only through reveal()', () => {
  const value = marker('secret');
  const s = new SecretValue(value);
  assert.equal(leakedMarkers({ s, list: [s], text: `${s}`, str: String(s), plus: s + '' }, [value]), []);
  assert.equal(leakedMarkers(structuredClone({ s }), [value]), []);
  assert.ok(s.reveal() === value && SecretValue.reveal(s) === value, 'reveal() gives the value');
  assert.is(SecretValue.reveal('plain'), 'plain');
  assert.is(JSON.stringify(s), '"[redacted]"');
});

test.run();
