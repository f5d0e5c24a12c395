import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'scripts', 'redis-cluster.sh');

/** Start a local 3-master cluster on basePort..basePort+2 (scripts/redis-cluster.sh); stopped when the process exits. */
export function startRedisCluster(basePort: number): string[] {
  const out = execFileSync('bash', [script, 'start', String(basePort)], { encoding: 'utf8', timeout: 60_000 });
  process.on('exit', () => stopRedisCluster(basePort));
  return out.trim().split('\n').filter((l) => l.startsWith('redis://'));
}

export function stopRedisCluster(basePort: number): void {
  try {
    execFileSync('bash', [script, 'stop', String(basePort)], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    // already stopped
  }
}
