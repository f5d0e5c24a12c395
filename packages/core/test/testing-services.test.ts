import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '@chatcore/core';
import { closedPort, isReachable, requireService } from '@chatcore/core/testing';

const coreDir = fileURLToPath(new URL('..', import.meta.url));

/** Run requireService in a child process (it may end the process) and return its exit code and output. */
function runChild(call: string, env: Record<string, string | undefined>) {
  const script = `import { requireService } from '@chatcore/core/testing';\nawait ${call};\nconsole.log('CONTINUED');`;
  const r = spawnSync(process.execPath, ['--conditions=@chatcore/source', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: coreDir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('requireService returns for a custom service that answers at the given address', async () => {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  try {
    await requireService('mydb', { host: '127.0.0.1', port });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('requireService refuses a service it does not know when no address is given, with a ConfigError naming the fix', async () => {
  let error: unknown;
  try {
    await (requireService as (name: string) => Promise<void>)('mydb');
  } catch (e) {
    error = e;
  }
  assert.instance(error, ConfigError);
  assert.match((error as Error).message, /requireService\('mydb', \{ host, port \}\)/);
});

test('closedPort gives a port below the ephemeral range, each time one where a connect is refused', async () => {
  const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  for (let i = 0; i < 5; i++) {
    const port = await closedPort();
    assert.ok(Number.isInteger(port) && port >= 1024 && port < low!, `${port} lies below ${low}, where listen(0) never binds`);
    assert.is(await isReachable('127.0.0.1', port), false, `nothing listens on ${port}`);
  }
});

test('an unreachable custom service fails the file when services are required, naming the service and its address', async () => {
  const port = await closedPort();
  const { code, out } = runChild(`requireService('mydb', { host: '127.0.0.1', port: ${port} })`, { CHATCORE_REQUIRE_SERVICES: '1' });
  assert.is.not(code, 0);
  assert.match(out, `mydb is not reachable at 127.0.0.1:${port}`);
  assert.not.match(out, 'CONTINUED');
});

test('an unreachable custom service skips the file otherwise: a CHATCORE_SKIP line and exit code 0 before anything else runs', async () => {
  const port = await closedPort();
  const { code, out } = runChild(`requireService('mydb', { host: '127.0.0.1', port: ${port} })`, { CHATCORE_REQUIRE_SERVICES: '' });
  assert.is(code, 0);
  assert.match(out, `CHATCORE_SKIP mydb is not reachable at 127.0.0.1:${port}`);
  assert.not.match(out, 'CONTINUED');
});

test('a service that answers is reachable even when the process was not scheduled for longer than the budget', async () => {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  // A loaded machine: the process gets no CPU for 1.5 s right after the probe started (its 1 s timer expires meanwhile).
  const stall = () => { const until = Date.now() + 1500; while (Date.now() < until); };
  try {
    const probe = isReachable('127.0.0.1', port, 1000);
    stall();
    assert.is(await probe, true, 'isReachable');
    const required = requireService('mydb', { host: '127.0.0.1', port }).then(() => 'returned', (e: unknown) => e);
    stall();
    assert.is(await required, 'returned', 'requireService');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test.run();
