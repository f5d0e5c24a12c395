import { toSnakeCase } from '../util/naming.js';
import type { AnyConfigType } from './config-type.js';

/** A string holding `${VAR}`: what an editor sees where the value comes from the environment. */
const ENV = { type: 'string', pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}', description: 'an environment variable: ${VAR} or ${VAR:-default}' };

/**
 * The JSON Schema (draft 2020-12) of one configuration type, keys in their
 * YAML (snake_case) spelling. A value that may be written as `${VAR}` also
 * accepts that string, since interpolation happens after the editor sees it.
 *
 * @example
 * ```ts
 * jsonSchemaOf(c.object({ poolSize: c.integer({ min: 1 }) })); // { type: 'object', properties: { pool_size: { anyOf: [...] } }, ... }
 * ```
 */
export function jsonSchemaOf(type: AnyConfigType): Record<string, unknown> {
  const s = type.state;
  let out: Record<string, unknown>;
  if (s.jsonSchema) {
    out = { ...s.jsonSchema };
    const plainString = out.type === 'string' && out.pattern === undefined && out.enum === undefined && out.minLength === undefined;
    if (!plainString && !out.anyOf) out = { anyOf: [out, ENV] };
    else if (out.anyOf) out = { ...out, anyOf: [...(out.anyOf as unknown[]), ENV] };
  } else if (s.shape) {
    const properties: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(s.shape)) properties[toSnakeCase(name)] = jsonSchemaOf(child);
    out = { type: 'object', additionalProperties: false, properties };
    if (s.required?.length) out.required = s.required.map(toSnakeCase);
  } else if (s.item) {
    out = s.describe.startsWith('list')
      ? { type: 'array', items: jsonSchemaOf(s.item) }
      : { type: 'object', propertyNames: { pattern: s.keyPattern ?? '^[A-Za-z][A-Za-z0-9_-]{0,62}$' }, additionalProperties: jsonSchemaOf(s.item) };
  } else {
    out = {};
  }
  const doc = [s.doc, s.secret ? 'Secret: never echoed, printed as [redacted].' : undefined].filter(Boolean).join(' ');
  if (doc) out.description = doc;
  if (s.hasDefault && s.defaultValue !== undefined && typeof s.defaultValue !== 'object') out.default = s.defaultValue;
  return out;
}

/**
 * The JSON Schema of a whole stack file with the given sections (by YAML
 * name), for editor completion (`# yaml-language-server: $schema=...`).
 *
 * @example
 * ```ts
 * const schema = configJsonSchema(configSections());
 * writeFileSync('schema/chatcore.schema.json', JSON.stringify(schema, null, 2));
 * ```
 */
export function configJsonSchema(sections: Readonly<Record<string, AnyConfigType>>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(sections)) properties[name] = jsonSchemaOf(type);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://chatcore.dev/schema/chatcore.schema.json',
    title: 'chatcore stack configuration',
    description: 'One YAML file for a chatcore stack: the database and the plugin sections (docs/configuration.md).',
    type: 'object',
    additionalProperties: false,
    properties,
  };
}
