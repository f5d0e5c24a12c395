// Field declarations that defineRepository refuses at run time (ConfigError)
// and whose literal form the types refuse too. Each @ts-expect-error line has
// a twin right below it that compiles.
import { f, type StringOptions, type NumberOptions } from '@chatcore/core';

export function lengths(options: StringOptions): void {
  // @ts-expect-error a string length is not negative
  f.string({ min: -1 });
  f.string({ min: 0 });
  // @ts-expect-error a string length is a whole number of characters
  f.string({ max: 2.5 });
  f.string({ max: 3, pattern: /^a/ });
  // @ts-expect-error f.text() lengths follow the same rule
  f.text({ min: 1, max: -5 });
  f.text({ min: 1, max: 5 });
  // options typed as plain StringOptions pass: only the run-time check sees their values
  f.string(options);
  f.string();
}

export function integerBounds(options: NumberOptions): void {
  // @ts-expect-error an integer bound is a whole number
  f.integer({ max: 1.5 });
  f.integer({ max: 1 });
  // @ts-expect-error an integer bound in exponent form with a fraction is not whole either
  f.integer({ min: 1e-3 });
  f.integer({ min: -3, max: 10_000_000_000 });
  f.integer(options);
  f.number({ min: 0.5, max: 1.5 });
}

export function enumValues(roles: readonly [string, ...string[]]): void {
  // @ts-expect-error an enum lists each value once
  f.enum(['a', 'a']);
  f.enum(['a', 'b']);
  // @ts-expect-error a repeat anywhere in the list is refused
  f.enum(['user', 'assistant', 'system', 'assistant']);
  f.enum(['user', 'assistant', 'system']);
  // @ts-expect-error an enum lists at least one value
  f.enum([]);
  f.enum(['']);
  // a list typed string[] passes: only the run-time check sees its values
  f.enum(roles);
  // @ts-expect-error a default outside the listed values
  f.enum(['a']).default('b');
  f.enum(['a']).default('a');

  // a json field's declared type holds JSON values only: a Date, bigint, Map or bytes in it fails every write
  // @ts-expect-error a Date is not a JSON value (store an ISO string or epoch milliseconds)
  f.json<{ model: string; at: Date }>();
  f.json<{ model: string; at: string }>();
  // @ts-expect-error a bigint, nested in a list
  f.json<{ usage: { tokens: bigint }[] }>().optional();
  f.json<{ usage: { tokens: number }[] }>().optional();
  // @ts-expect-error a Map is not a plain object
  f.json<Map<string, number>>();
  f.json<Record<string, number>>();
  // @ts-expect-error bytes belong in f.bytes()
  f.json<{ avatar: Uint8Array }>();
  f.json<{ avatar: number[] | null; tags?: readonly string[] }>();
  // @ts-expect-error a function is not stored
  f.json<{ format: () => string }>();
  f.json<unknown>();
}
