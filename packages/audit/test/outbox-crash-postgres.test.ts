import { requireService } from '@chatcore/core/testing';
import { registerOutboxCrash } from './helpers/outbox-crash.js';

await requireService('postgres');
registerOutboxCrash('postgres', () => undefined);
