import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, defineRepository, f } from '@chatcore/core';

/** A builder chained without the types' checks, as plain JavaScript could. */
interface Loose {
  optional(): Loose;
  default(value: unknown): Loose;
  unique(): Loose;
  secret(): Loose;
  sensitive(): Loose;
  createdAt(): Loose;
}
const loose = (field: unknown) => field as Loose;

/** The message of the ConfigError defineRepository throws for these fields. */
function refusal(fields: Record<string, unknown>): string {
  try {
    defineRepository('things', { id: f.id(), ...fields } as never);
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as Error).message;
  }
  assert.unreachable('defineRepository accepted the fields');
  return '';
}

test('a secret cannot be unique, in either order: its salted hashes never collide', () => {
  assert.match(refusal({ pin: loose(f.string().secret()).unique() }), /things\.pin is secret\(\) and unique\(\)/);
  assert.match(refusal({ pin: loose(f.string().unique()).secret() }), /things\.pin is secret\(\) and unique\(\)/);
  assert.ok(defineRepository('things', { id: f.id(), pin: f.string().secret() }).schema.fields.pin?.secret);
});

test.run();
