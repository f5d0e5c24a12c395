import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const serviceRoot = fileURLToPath(new URL('../..', import.meta.url));
export const workspaceRoot = join(serviceRoot, '..', '..');

/** The Dockerfile's build step, less the target folder. */
export const DEPLOY_ARGS = ['--filter', '@chatcore/example-chatbot-service', 'deploy', '--prod'] as const;

/** `tsc -b` of the service and the packages it uses, so that every dist is current. */
export function buildService(): void {
  const tsc = spawnSync(join(workspaceRoot, 'node_modules', '.bin', 'tsc'), ['-b', 'examples/chatbot-service'], { cwd: workspaceRoot, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`tsc -b failed:\n${tsc.stdout}${tsc.stderr}`);
}

/**
 * Build the workspace (so every package's dist is current), then do the
 * Dockerfile's build step: `pnpm deploy --prod` of the service into a fresh
 * folder, which then holds the service and its production dependencies only.
 */
export function deployService(): { dir: string; ms: number; remove(): void } {
  const started = Date.now();
  buildService();
  const parent = mkdtempSync(join(tmpdir(), 'cc-service-'));
  const dir = join(parent, 'app');
  const deploy = spawnSync('pnpm', [...DEPLOY_ARGS, dir], { cwd: workspaceRoot, encoding: 'utf8' });
  if (deploy.status !== 0) throw new Error(`pnpm deploy failed (${deploy.status}):\n${deploy.stdout}${deploy.stderr}`);
  return { dir, ms: Date.now() - started, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** Keys as an operator makes them: `openssl rand -base64 32`. */
export function freshKeys(): Record<string, string> {
  return { CHATCORE_ROOT_KEY: randomBytes(32).toString('base64'), CHATCORE_BLIND_INDEX_KEY: randomBytes(32).toString('base64') };
}

export interface LogLine { readonly level: string; readonly msg: string; readonly [key: string]: unknown }

/** A service process started from a deployed folder. */
export interface RunningService {
  readonly url: string;
  readonly port: number;
  /** The metrics listener, when the service was given METRICS_PORT (its `listening` line names the bound port). */
  readonly metricsUrl: string | undefined;
  readonly metricsPort: number | undefined;
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  /** Resolves with the first log line whose msg is `msg`. */
  waitForLog(msg: string, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  output(): string;
}

/**
 * Start `node dist/main.js` in `dir` and wait for its `listening` line, which names the ports it bound: PORT=0
 * (unless `env` sets PORT) and METRICS_PORT=0 pick free ports.
 */
export async function startService(dir: string, env: Record<string, string>): Promise<RunningService> {
  // PORT=0, not a port found free beforehand: that one is given back, and until the child binds it another
  // listener (a concurrent test file, or this service's own METRICS_PORT) can take it.
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const logs: LogLine[] = [];
  const waiters: Array<() => void> = [];
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
      for (const w of waiters.splice(0)) w();
    }
  });
  child.stderr!.on('data', (d: Buffer) => (out += d));
  let exitCode: number | null | undefined;
  // 'close', not 'exit': by then every log line is read. exitCode is set before the waiters run, or a waiter
  // would re-arm its unref'd timer and, with nothing else keeping the test alive, the test process would end.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => {
    exitCode = code === null ? -1 : code;
    for (const w of waiters.splice(0)) w();
    resolve(code);
  }));

  const waitForLog = (msg: string, timeoutMs = 180_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const check = () => {
        const hit = logs.find((l) => l.msg === msg);
        if (hit) return resolve(hit);
        if (exitCode !== undefined) return reject(new Error(`the service exited (${exitCode}) before logging "${msg}":\n${out}`));
        if (Date.now() > deadline) return reject(new Error(`no "${msg}" log line within ${timeoutMs} ms:\n${out}`));
        waiters.push(check);
        setTimeout(check, 500).unref();
      };
      check();
    });

  const listening = await waitForLog('listening');
  const port = listening.port as number;
  const url = `http://127.0.0.1:${port}`;
  const metricsPort = typeof listening.metricsPort === 'number' ? listening.metricsPort : undefined;
  const metricsUrl = metricsPort === undefined ? undefined : `http://127.0.0.1:${metricsPort}`;
  return { url, port, metricsUrl, metricsPort, child, logs, waitForLog, exited, output: () => out };
}

/** One HTTP call with a JSON body; the status and the parsed answer. */
export async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/**
 * A request that the service has started answering but cannot finish yet:
 * the headers are sent with `Expect: 100-continue`, and `accepted` resolves
 * when the service answered 100 (its handler runs: the request is in
 * flight). `finish()` sends the body; `response` resolves with the answer.
 */
export function heldRequest(port: number, path: string, body: unknown): { accepted: Promise<void>; finish(): void; response: Promise<{ status: number; json: any; connection: string | undefined }> } {
  const text = JSON.stringify(body);
  const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), expect: '100-continue', connection: 'keep-alive' } });
  const accepted = new Promise<void>((resolve) => req.once('continue', () => resolve()));
  const response = new Promise<{ status: number; json: any; connection: string | undefined }>((resolve, reject) => {
    req.on('error', reject);
    req.once('response', (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(data), connection: res.headers.connection }));
    });
  });
  // Awaited later (after a signal or an exit): until then a reset must not count as unhandled.
  response.catch(() => undefined);
  req.flushHeaders();
  return { accepted, finish: () => req.end(text), response };
}

/** Whether a new TCP connection to the port (on 127.0.0.1) is refused. */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => { res.resume(); resolve(false); });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

/** Run the smoke script against a service. */
export function runSmoke(scriptDir: string, url: string, messages = 50): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(scriptDir, 'scripts', 'smoke.mjs'), url, String(messages)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Build and test tools found in a folder that should hold production dependencies only. */
export function devOnlyPackagesIn(dir: string): string[] {
  const tools = ['typescript', 'tsx', 'kubernetes-models', 'dockerfile-ast', 'pg'];
  const store = readdirSync(join(dir, 'node_modules', '.pnpm'));
  return [
    ...tools.filter((name) => existsSync(join(dir, 'node_modules', name))),
    ...store.filter((entry) => tools.slice(0, 4).some((name) => entry.startsWith(`${name}@`))),
  ];
}

/**
 * Links in the folder that point outside it (into the workspace, say): the
 * runtime image has only the folder, so there must be none.
 */
export function linksLeavingFolder(dir: string): string[] {
  const root = realpathSync(dir) + sep;
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(p);
        } catch {
          out.push(`${p} (dangling)`);
          continue;
        }
        if (!target.startsWith(root)) out.push(`${p} -> ${target}`);
      } else if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}
