// @chatcore/core/driver: for driver authors. The driver contract, the storage
// schema and normalized query a driver receives, and the reference semantics
// (DESIGN 7a) for drivers that must evaluate, order or patch rows themselves.
export type * from './driver.js';
export type * from './migration-backend.js';
export { FULL_CAPABILITIES, type DriverCapabilities, type IsolationLevel } from './capabilities.js';
export { REQUEST_BYTES_LIMIT, isRequestTooLarge } from './request-too-large.js';
export type { RepositorySchema, IndexSchema } from '../schema/repository-schema.js';
export { ORDERED_TYPES, type FieldType, type FieldMeta, type SensitiveOptions, type SearchNormalization, type OnDelete, type ReferenceMeta } from '../schema/field-meta.js';
export type { Condition, CmpOp, TextMatch, OrderTerm, NormalizedQuery, ThroughQuery, WriteTarget, NormalizedPatch } from '../query/condition.js';
export { THROUGH_PARENT, THROUGH_LINK } from '../query/condition.js';
export type { AggregateFn, AggregateMeasure, AggregateOrder, NormalizedAggregate, AggregateRow } from '../query/aggregate.js';
export { aggregateOutOfRange } from '../query/aggregate-range.js';
export { integerAverage } from '../query/exact-average.js';
export { negate } from '../query/normalize-filter.js';
export { ambientContext, type AmbientContext } from '../context/context-store.js';
export { isWideInteger } from '../schema/integer-range.js';
export { incrementBounds, incrementIssue, type IncrementBounds } from '../schema/increment-range.js';
export { MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS } from '../schema/timestamp-range.js';
export { toSnakeCase } from '../util/naming.js';
export { checkIdentifier, MAX_IDENTIFIER_LENGTH } from '../schema/identifiers.js';
export { applyPatch } from '../memory/apply-patch.js';
export { copyRow, copyValue } from '../memory/copy-value.js';
export { compareValues } from '../memory/compare-values.js';
export { evaluateCondition } from '../memory/evaluate-condition.js';
export { aggregateRows } from '../memory/aggregate-rows.js';
export { isAfterCursor, sortRows } from '../memory/order-rows.js';
export { MemoryDriver, memoryDriver, type MemoryDriverOptions } from '../memory/memory-driver.js';
export * from '../resilience/index.js';
export { SecretValue } from '../util/secret-value.js';
export { integerOption, durationOption, sizeOption, booleanOption, collectOption, type OptionBounds } from '../config/option-rules.js';
export { checkOptionKeys, optionKeys } from '../config/option-keys.js';
