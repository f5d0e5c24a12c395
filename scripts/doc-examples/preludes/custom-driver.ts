// A driver package the reader writes: its factory, as docs/drivers.md shows it.
import type { Driver } from '@chatcore/core/driver';

export interface MyDriverOptions {
  readonly url?: string | undefined;
  readonly poolSize?: number | undefined;
  readonly timeoutMs?: number | undefined;
}
export declare function myDriver(options: MyDriverOptions): Driver;
