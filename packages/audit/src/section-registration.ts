import { registerSection } from '@chatcore/core/config';
import { auditOptionsFromConfig, auditSection } from './audit-section.js';
import { audit } from './audit-plugin.js';

// Importing @chatcore/audit makes the `audit` section of chatcore.yaml known:
// outside encryption and the cache (rank 20), so it sees every call, cache hits included.
registerSection({
  name: 'audit',
  package: '@chatcore/audit',
  schema: auditSection,
  rank: 20,
  build: (section) => audit(auditOptionsFromConfig(section)),
});

export { auditSection, auditOptionsFromConfig, type AuditSection } from './audit-section.js';
