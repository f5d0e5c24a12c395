import { requireService } from '@chatcore/core/testing';
import { registerOutboxUnmarked } from './helpers/outbox-unmarked.js';

await requireService('postgres');
registerOutboxUnmarked('postgres', () => undefined);
