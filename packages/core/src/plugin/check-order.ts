import { ConfigError } from '../errors.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { Plugin } from './plugin.js';

/**
 * Check a plugin stack before anything runs: unique names, no data-storing
 * plugin (cache) above a plugin that protects sensitive fields (encryption),
 * and no sensitive field without such a plugin unless explicitly allowed.
 *
 * @example
 * ```ts
 * checkPluginOrder([audit(), encryption(), cache()], schemas, false); // ok
 * checkPluginOrder([cache(), encryption()], schemas, false);           // ConfigError naming the fix
 * ```
 */
export function checkPluginOrder(plugins: readonly Plugin[], schemas: readonly RepositorySchema[], allowPlaintextSensitive: boolean): void {
  const seen = new Set<string>();
  for (const p of plugins) {
    if (!p || typeof p.name !== 'string' || !p.name) throw new ConfigError('Every plugin needs a non-empty name.');
    if (seen.has(p.name)) throw new ConfigError(`Plugin ${p.name} is listed twice; list each plugin once.`);
    seen.add(p.name);
  }
  const protector = plugins.findIndex((p) => p.placement?.protectsSensitive);
  for (const [i, p] of plugins.entries()) {
    if (p.placement?.storesData && protector > i) {
      const names = plugins.map((x) => x.name);
      const fixed = [...names.filter((n) => n !== p.name)];
      fixed.splice(fixed.indexOf(plugins[protector]!.name) + 1, 0, p.name);
      throw new ConfigError(
        `Plugin order [${names.join(', ')}] would let plaintext of sensitive fields reach ${p.name}: ` +
          `${p.name} stores data and must sit below ${plugins[protector]!.name}. Use [${fixed.join(', ')}] (outermost first).`,
      );
    }
  }
  if (protector === -1 && !allowPlaintextSensitive) {
    const sensitive = schemas.flatMap((s) => Object.entries(s.fields).filter(([, m]) => m.sensitive).map(([f]) => `${s.name}.${f}`));
    if (sensitive.length) {
      throw new ConfigError(
        `Sensitive fields (${sensitive.slice(0, 5).join(', ')}${sensitive.length > 5 ? ', ...' : ''}) need an encryption plugin: add encryption() from @chatcore/encryption to plugins (in chatcore.yaml, an encryption section), ` +
          'or pass allowPlaintextSensitive: true for development only.',
      );
    }
  }
}
