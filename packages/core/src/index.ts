// @chatcore/core: what application code needs. Driver authors import from
// '@chatcore/core/driver', plugin authors from '@chatcore/core/plugin'; the YAML
// loader is '@chatcore/core/config', test helpers '@chatcore/core/testing'.
export * from './errors.js';
export { f, type StringOptions, type NumberOptions, type IdOptions, type IdFlags, type TextFlags, type VersionFlags, type ArrayItem, type ArrayItemRule } from './schema/fields.js';
export type { Field, TimestampField, AnyField, FieldFlags, OpsKind, BaseFlags, ReferenceOptions } from './schema/field.js';
export type { OnDelete, ReferenceMeta } from './schema/field-meta.js';
export { defineRepository, type RepositoryDef, type AnyRepositoryDef, type RepositoryOptions, type FieldsShape, type FieldNameRules, type UniqueKeyList } from './schema/define-repository.js';
export type { FieldRoleRules, UniqueKeyRules } from './schema/field-roles.js';
export type { ReferenceTargetRules } from './references/reference-targets.js';
export type { RepositoryNameRule, ColumnNameRule, TableNameRule, FieldKeyRules } from './schema/name-rules.js';
export type { DistinctValuesRule, IntegerBoundRules, LengthRules } from './schema/bound-rules.js';
export type { JsonTypeCheck, JsonValueRule } from './schema/json-rules.js';
export type { LimitRule, OffsetRule, PageSizeRule, PagingRules } from './schema/paging-rules.js';
export type * from './schema/infer.js';
export type * from './schema/aggregate-types.js';
export type * from './repository/repository-api.js';
export type * from './repository/keyed-writes.js';
export type { RowQuery } from './repository/row-query.js';
export type { WholeRows } from './repository/whole-rows.js';
export type { ColumnName, SnakeCase } from './schema/column-name.js';
export type * from './database/database-api.js';
export type { CallerContext } from './context/operation-context.js';
export type { Driver, HealthReport, ComponentHealth } from './driver/driver.js';
export type { SecurityEvent } from './plugin/security-event.js';
export { createDatabase } from './database/create-database.js';
export { runWithContext } from './context/context-store.js';
export { defineRelations, type Relations, type RelationSpec, type RelationBuilder, type Relation, type OneRelation, type ManyRelation, type KeyFieldOf } from './relations/define-relations.js';
export type { IncludeOf, IncludeOne, IncludeMany, WithIncluded, StrictInclude, RelationScope } from './relations/include-types.js';
