import type { FieldMeta } from './field-meta.js';

/**
 * An index or unique constraint over one or more fields.
 *
 * @example
 * ```ts
 * const idx: IndexSchema = { name: 'messages_conversation_id_created_at_idx', fields: ['conversationId', 'createdAt'], unique: false };
 * ```
 */
export interface IndexSchema {
  readonly name: string;
  readonly fields: readonly string[];
  readonly unique: boolean;
}

/**
 * The runtime schema of a repository, as drivers and plugins see it. Plugins
 * may return changed copies from `extendSchema` (e.g. encryption turns a
 * sensitive field into a ciphertext column and adds a blind-index field);
 * drivers receive the extended ("storage") schema.
 *
 * @example
 * ```ts
 * for (const [name, meta] of Object.entries(schema.fields)) console.log(name, meta.type, meta.column);
 * ```
 */
export interface RepositorySchema {
  readonly name: string;
  readonly table: string;
  readonly fields: Readonly<Record<string, FieldMeta>>;
  readonly versionField?: string | undefined;
  readonly createdAtField?: string | undefined;
  readonly updatedAtField?: string | undefined;
  readonly indexes: readonly IndexSchema[];
  /** Per-plugin settings from `defineRepository(..., { plugins })`. */
  readonly plugins: Readonly<Record<string, unknown>>;
  /** Set when a plugin declared this repository (e.g. the audit outbox). */
  readonly ownedBy?: string | undefined;
}
