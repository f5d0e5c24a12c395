// @chatcore/core/plugin: for plugin authors. The plugin contract, the
// operations and contexts hooks receive, and the storage schema they read.
export type * from './plugin.js';
export { familyOf, type Operation, type OperationOf, type OperationResult, type MethodName, type HookFamily } from './operation.js';
export type { SecurityEvent } from './security-event.js';
export type { OperationContext, CallerContext, TransactionHandle } from '../context/operation-context.js';
export type { RepositorySchema, IndexSchema } from '../schema/repository-schema.js';
export type { FieldType, FieldMeta, SensitiveOptions, SearchNormalization } from '../schema/field-meta.js';
export type { Condition, CmpOp, TextMatch, OrderTerm, NormalizedQuery, WriteTarget, NormalizedPatch } from '../query/condition.js';
export type { AggregateFn, AggregateMeasure, AggregateOrder, NormalizedAggregate, AggregateRow } from '../query/aggregate.js';
export { negate } from '../query/normalize-filter.js';
export { conditionFields } from '../query/condition-fields.js';
export { ambientContext, type AmbientContext } from '../context/context-store.js';
export { toSnakeCase } from '../util/naming.js';
export { incrementIssue } from '../schema/increment-range.js';
export { SecretValue } from '../util/secret-value.js';
export { keyWeakness, sameKeyBytes } from '../secret/key-strength.js';
export { MAX_TIMER_MS } from '../util/duration.js';
export { integerOption, durationOption, sizeOption, booleanOption, collectOption, type OptionBounds } from '../config/option-rules.js';
export { checkOptionKeys, optionKeys } from '../config/option-keys.js';
