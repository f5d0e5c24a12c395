import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const VERSION = process.env.CHATCORE_PG_VERSION ?? '15';

/**
 * A throw-away PostgreSQL cluster on its own port (pg_createcluster), so that
 * fault tests can stop, restart and reconfigure a server while the shared
 * one on 5432 stays up. Each test file uses its own name and port, so files
 * can run in parallel.
 */
export interface TestCluster {
  readonly name: string;
  readonly port: number;
  /** postgres://postgres@127.0.0.1:port/postgres (or `host` instead of 127.0.0.1). */
  url(host?: string): string;
  /** Run SQL as the superuser on a fresh connection; returns the rows. */
  sql(text: string, values?: unknown[]): Promise<Array<Record<string, unknown>>>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** pg_ctlcluster restart (fast shutdown: sessions are terminated, open transactions rolled back). */
  restart(): Promise<void>;
  /** Reload postgresql.conf and ALTER SYSTEM settings. */
  reload(): Promise<void>;
  /** Stop and delete the cluster. */
  drop(): Promise<void>;
}

async function ctl(action: string, name: string): Promise<void> {
  await run('pg_ctlcluster', [VERSION, name, action], { timeout: 60_000 });
}

/**
 * Create and start a cluster with trust authentication; `settings` are
 * appended to its postgresql.conf before the first start.
 *
 * @example
 * ```ts
 * const cluster = await createCluster('cc_timeout', 25432, { log_statement: "'all'" });
 * ```
 */
export async function createCluster(name: string, port: number, settings: Record<string, string> = {}): Promise<TestCluster> {
  // A port in the kernel's ephemeral range can be held by any outgoing connection of a concurrent test (the
  // cluster then fails to bind: "Address already in use"); test clusters listen below it.
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  if (port >= low! && port <= high!) throw new Error(`test cluster ${name}: port ${port} is in the ephemeral range ${low}-${high}; pick one below ${low}`);
  // Several test files create clusters at the same time on 2 busy cores: retry a failed set-up
  // from scratch, and say why it failed if it keeps failing.
  for (let attempt = 1; ; attempt++) {
    try {
      await run('pg_dropcluster', ['--stop', VERSION, name]).catch(() => undefined);
      await run('pg_createcluster', [VERSION, name, '-p', String(port), '--', '--auth=trust'], { timeout: 120_000 });
      const conf = `/etc/postgresql/${VERSION}/${name}/postgresql.conf`;
      const lines = Object.entries(settings).map(([k, v]) => `${k} = ${v}`);
      if (lines.length) appendFileSync(conf, `\n${lines.join('\n')}\n`);
      await ctl('start', name);
      break;
    } catch (err) {
      const e = err as Error & { stderr?: string };
      if (attempt >= 3) throw new Error(`could not create test cluster ${name} on port ${port}: ${e.message}\n${e.stderr ?? ''}`);
      console.error(`test cluster ${name}: set-up attempt ${attempt} failed (${e.message.split('\n')[0]}); retrying`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const cluster: TestCluster = {
    name,
    port,
    url: (host = '127.0.0.1') => `postgres://postgres@${host}:${port}/postgres`,
    async sql(text, values = []) {
      const client = new pg.Client({ connectionString: cluster.url(), connectionTimeoutMillis: 5000 });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    start: () => ctl('start', name),
    stop: () => ctl('stop', name),
    restart: () => ctl('restart', name),
    reload: () => ctl('reload', name),
    async drop() {
      await run('pg_dropcluster', ['--stop', VERSION, name]).catch(() => undefined);
    },
  };
  return cluster;
}

/** Wait until the cluster accepts connections; returns when it first did. */
export async function waitUntilAccepting(cluster: TestCluster, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await cluster.sql('select 1');
      return performance.now();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** PEM files of a test PKI: a CA, a server certificate it signed for `DNS:localhost`, and an unrelated CA. */
export interface TestCertificates {
  readonly dir: string;
  readonly ca: string;
  readonly otherCa: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  remove(): void;
}

/**
 * Make a test CA and a server certificate (subjectAltName DNS:localhost only,
 * so that connecting to 127.0.0.1 is a host-name mismatch) with openssl; the
 * key is owned by the postgres user, as the server requires.
 *
 * @example
 * ```ts
 * const pki = await makeCertificates();
 * ```
 */
export async function makeCertificates(): Promise<TestCertificates> {
  const dir = mkdtempSync(join(tmpdir(), 'chatcore-pki-'));
  chmodSync(dir, 0o755);
  const ossl = (...args: string[]) => run('openssl', args, { cwd: dir, timeout: 60_000 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await ossl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=chatcore test CA');
  await ossl('req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '2', '-subj', '/CN=chatcore other CA');
  await ossl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\n');
  await ossl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  chownSync(join(dir, 'server.key'), Number(stdout.trim()), Number(gid.trim()));
  chmodSync(join(dir, 'server.key'), 0o600);
  chmodSync(join(dir, 'server.crt'), 0o644);
  return {
    dir,
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    otherCa: readFileSync(join(dir, 'other-ca.crt'), 'utf8'),
    serverCertFile: join(dir, 'server.crt'),
    serverKeyFile: join(dir, 'server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A TCP proxy in front of a cluster that can stop answering: in `blackhole`
 * mode it accepts connections and never says a word (what a dead host
 * behind a load balancer looks like), so a client waits for its connect
 * timeout. With `delayMs`, a connection accepted in `forward` mode reaches
 * the server only that much later (a server slow to accept).
 *
 * @example
 * ```ts
 * const proxy = await startProxy(cluster.port); proxy.mode = 'blackhole';
 * ```
 */
export interface TestProxy {
  readonly port: number;
  mode: 'forward' | 'blackhole';
  /** How long a new connection is held before it is forwarded (0: at once). */
  delayMs: number;
  /** Drop every open connection (forwarded or held). */
  cut(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<TestProxy> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const proxy: { mode: 'forward' | 'blackhole'; delayMs: number } = { mode: 'forward', delayMs: 0 };
  const forward = (client: net.Socket) => {
    if (client.destroyed) return;
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    track(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('close', end);
    upstream.on('close', end);
  };
  const server = net.createServer((client) => {
    track(client);
    if (proxy.mode === 'blackhole') return;
    // What the client sends meanwhile waits in its socket until it is piped.
    if (proxy.delayMs > 0) setTimeout(() => forward(client), proxy.delayMs);
    else forward(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return Object.assign(proxy, {
    port,
    cut() { for (const s of sockets) s.destroy(); },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  }) as TestProxy;
}
