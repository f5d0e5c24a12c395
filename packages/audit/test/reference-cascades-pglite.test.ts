import { registerCascadeAudit } from './helpers/reference-cascades.js';

registerCascadeAudit('pglite');
