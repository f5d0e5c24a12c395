import cliProgress from 'cli-progress';
import type { CliIo } from './output.js';

/**
 * A progress display of rows done out of a total, with rate and ETA.
 *
 * @example
 * ```ts
 * const bar = createProgress(io, 'users', 50_000);
 * bar.update(1_000); bar.stop();
 * ```
 */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

const NONE: Progress = { update() {}, stop() {} };

/**
 * A cli-progress bar on stderr (rows, rows/s, ETA) when stderr is a
 * terminal, and nothing otherwise: scripts and logs get only the result on
 * stdout.
 *
 * @example
 * ```ts
 * const bar = createProgress({ stdout: process.stdout, stderr: process.stderr }, 'messages', 120_000, 40_000);
 * ```
 */
export function createProgress(io: CliIo, label: string, total: number, start = 0): Progress {
  if (!io.stderr.isTTY) return NONE;
  const bar = new cliProgress.SingleBar({
    stream: io.stderr,
    format: '{label} |{bar}| {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}',
    etaBuffer: 50,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  const began = performance.now();
  bar.start(Math.max(total, start), start, { label, rate: '0' });
  return {
    update(done) {
      const seconds = (performance.now() - began) / 1000;
      const rate = seconds > 0 ? Math.round((done - start) / seconds) : 0;
      bar.setTotal(Math.max(total, done));
      bar.update(done, { label, rate: String(rate) });
    },
    stop() {
      bar.stop();
    },
  };
}
