import { requireService } from '@chatcore/core/testing';
import { registerCascadeAudit } from './helpers/reference-cascades.js';

await requireService('postgres');
registerCascadeAudit('postgres');
