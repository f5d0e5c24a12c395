import { requireService } from '@chatcore/core/testing';
import { registerTraceContext } from './helpers/trace-context.js';

await requireService('postgres');
registerTraceContext('postgres');
