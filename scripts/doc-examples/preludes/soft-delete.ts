// The doc comments of examples/plugin-soft-delete: core's prelude, the
// package's entry point, and a repository with the field it needs.
import { defineRepository, f } from '@chatcore/core';

export * from './core.js';
export * from '@chatcore/example-plugin-soft-delete';

export const notes = defineRepository('notes', {
  id: f.id(),
  title: f.string({ max: 200 }),
  deletedAt: f.timestamp().optional(),
  version: f.version(),
});
