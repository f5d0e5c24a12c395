import { type Database } from '@chatcore/core';
import { createStack } from '@chatcore/core/config';
import { repositories } from './schema.js';

/**
 * The service's database type.
 *
 * @example
 * ```ts
 * const db: ChatbotDatabase = await openDatabase('chatcore.yaml');
 * ```
 */
export type ChatbotDatabase = Database<typeof repositories>;

/**
 * The whole stack from one YAML file: the backend it names and the plugins
 * of its sections (metrics, audit, encryption, cache, outermost first),
 * each from its own package. This is the only place that reads the file.
 * Call `connect()` on the result.
 *
 * @example
 * ```ts
 * const db = await openDatabase(process.env.CHATCORE_CONFIG ?? 'chatcore.yaml');
 * await db.connect();
 * ```
 */
export async function openDatabase(configPath: string, env: NodeJS.ProcessEnv = process.env): Promise<ChatbotDatabase> {
  return createStack({ config: configPath, repositories, env });
}
