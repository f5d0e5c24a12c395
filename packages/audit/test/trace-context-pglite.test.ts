import { registerTraceContext } from './helpers/trace-context.js';

registerTraceContext('pglite');
