// Runs the conformance suite on one driver variant, named on the command line:
//   node --conditions=@chatcore/source --import tsx test/broken/run-variant.ts cursor-ignores-ties
// `correct` runs the real memory driver.
import { runConformanceSuite } from '@chatcore/core/conformance';
import { memoryDriver } from '@chatcore/core/driver';
import { BROKEN_VARIANTS, CONTROL_VARIANT } from './broken-drivers.js';

const variant = process.argv[2] ?? '';
const factory = variant === CONTROL_VARIANT ? () => memoryDriver() : BROKEN_VARIANTS[variant];
if (!factory) {
  console.error(`Unknown variant ${JSON.stringify(variant)}; use ${[CONTROL_VARIANT, ...Object.keys(BROKEN_VARIANTS)].join(', ')}.`);
  process.exit(2);
}
await runConformanceSuite({ name: variant, createDriver: factory });
