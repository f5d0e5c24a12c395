import { requireService } from '@chatcore/core/testing';
import { registerMethodMatrix } from './helpers/method-matrix.js';

await requireService('postgres');
registerMethodMatrix('postgres');
