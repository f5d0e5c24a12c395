import { ConfigError } from '../errors.js';
import type { Plugin } from '../plugin/plugin.js';
import type { AnyConfigType, InferConfig } from './config-type.js';

/**
 * The sections a configuration may hold besides `database`, by YAML name.
 * Each plugin package adds its own with declaration merging, so that a
 * loaded configuration is typed by the packages the application installed:
 *
 * @example
 * ```ts
 * // in a plugin package, next to its section's schema
 * const regionSection = c.object({ name: c.string().default('eu-west') });
 * declare module '@chatcore/core/config' {
 *   interface ConfigSections { region: InferConfig<typeof regionSection> }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ConfigSections {}

/**
 * What `build` receives besides its section: the whole checked
 * configuration and the names of the database's repositories.
 *
 * @example
 * ```ts
 * const build = (section: { ttl?: number }, ctx: SectionBuildContext): Plugin | undefined =>
 *   ctx.repositories.length ? { name: 'ttl-logger' } : undefined;
 * ```
 */
export interface SectionBuildContext {
  readonly config: { readonly database: unknown } & Readonly<Record<string, unknown>>;
  readonly repositories: readonly string[];
}

/**
 * A section of the stack file that a plugin package owns: its YAML name,
 * the package that provides it, its schema (built with `c`), where its plugin
 * sits in the onion and how the checked section becomes the plugin.
 *
 * @example
 * ```ts
 * const schema = c.object({ header: c.string().default('x-tenant') });
 * const tenancySection: SectionDefinition<typeof schema> = {
 *   name: 'tenancy', package: '@acme/chatcore-tenancy', schema, rank: 25,
 *   build: (s): Plugin => ({ name: `tenancy:${s.header}` }),
 * };
 * ```
 */
export interface SectionDefinition<S extends AnyConfigType = AnyConfigType> {
  /** The YAML key of the section (lower case letters, digits and _). */
  readonly name: string;
  /** The package to install for it, named in "not installed" messages. */
  readonly package: string;
  /** The schema of the section: keys in camelCase, read from snake_case YAML. */
  readonly schema: S;
  /**
   * Onion position of the plugin, outermost first: metrics 10, audit 20,
   * encryption 30, cache 40. Plugins of a stack are ordered by it.
   */
  readonly rank: number;
  /** The plugin for the checked section, or undefined when the section turns it off (`enabled: false`). */
  readonly build: (section: InferConfig<S>, context: SectionBuildContext) => Plugin | undefined | Promise<Plugin | undefined>;
}

/**
 * The sections the chatcore repository ships, by YAML name: the package
 * that provides each. Named in the message when a file uses one whose
 * package is not installed.
 *
 * @example
 * ```ts
 * KNOWN_SECTION_PACKAGES.cache; // '@chatcore/cache'
 * ```
 */
export const KNOWN_SECTION_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  encryption: '@chatcore/encryption',
  cache: '@chatcore/cache',
  audit: '@chatcore/audit',
  metrics: '@chatcore/metrics',
});

const NAME = /^[a-z][a-z0-9_]{0,62}$/;

// One registry per process, even when two copies of core are loaded (tests
// load packages from src and from dist): a plugin package registers into the
// same map that the loader of the other copy reads.
const KEY = Symbol.for('chatcore.config.sections');
const holder = globalThis as unknown as Record<symbol, Map<string, SectionDefinition> | undefined>;
const registry: Map<string, SectionDefinition> = (holder[KEY] ??= new Map());

/**
 * Register a plugin's section, so that `loadConfig` checks it and
 * `createStack` builds its plugin. Plugin packages call it on import. A name
 * registered again with another definition is an error unless `replace`;
 * the same package registering again (a second copy of it) replaces quietly.
 *
 * @example
 * ```ts
 * const tenancySchema = c.object({ header: c.string().default('x-tenant') });
 * registerSection({ name: 'tenancy', package: '@acme/chatcore-tenancy', schema: tenancySchema, rank: 25, build: (s) => ({ name: `tenancy:${s.header}` }) });
 * ```
 */
export function registerSection<S extends AnyConfigType>(definition: SectionDefinition<S>, options: { replace?: boolean } = {}): void {
  const d = definition as unknown as SectionDefinition;
  if (!d || typeof d !== 'object' || typeof d.name !== 'string' || !NAME.test(d.name) || d.name === 'database') {
    throw new ConfigError(`Section name ${JSON.stringify(String(d?.name).slice(0, 40))} is invalid: use lower-case letters, digits and _, starting with a letter (and not "database").`);
  }
  if (typeof d.build !== 'function' || !d.schema || typeof d.schema.read !== 'function' || typeof d.rank !== 'number' || typeof d.package !== 'string') {
    throw new ConfigError(`registerSection(${d.name}) needs { name, package, schema, rank, build }.`);
  }
  const existing = registry.get(d.name);
  if (existing && existing !== d && existing.package !== d.package && !options.replace) {
    throw new ConfigError(`Section ${d.name} is already registered by ${existing.package}. Pick another name, or pass { replace: true } to override it.`);
  }
  registry.set(d.name, d);
}

/**
 * The registered definition of a section, if any.
 *
 * @example
 * ```ts
 * getSection('cache')?.package; // '@chatcore/cache' once it is imported
 * ```
 */
export function getSection(name: string): SectionDefinition | undefined {
  return registry.get(name);
}

/**
 * The registered sections, outermost plugin first.
 *
 * @example
 * ```ts
 * listSections().map((s) => s.name); // ['metrics', 'audit', 'encryption', 'cache']
 * ```
 */
export function listSections(): SectionDefinition[] {
  return [...registry.values()].sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name));
}

/**
 * Remove a registered section (tests, tooling). Returns whether it existed.
 *
 * @example
 * ```ts
 * unregisterSection('tenancy');
 * ```
 */
export function unregisterSection(name: string): boolean {
  return registry.delete(name);
}
