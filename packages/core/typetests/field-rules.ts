// Field builder rules: the modifiers that cannot go together, refused by
// defineRepository at run time, do not compile either.
// Each @ts-expect-error line has a twin right below it that compiles.
import { defineRepository, f } from '@chatcore/core';

export function secrets(): void {
  // @ts-expect-error secret() hashes strings: a number field cannot be secret
  f.integer().secret();
  f.string().secret();
  // @ts-expect-error an enum is not a free string: it cannot be secret
  f.enum(['a', 'b']).secret();
  f.text().secret();
  // @ts-expect-error a secret is hashed, so it cannot also be sensitive
  f.string().secret().sensitive();
  f.string().secret().optional();
  // @ts-expect-error a sensitive field cannot also be secret
  f.string().sensitive().secret();
  f.string().optional().secret();
  // @ts-expect-error a reference holds a plain record id: not secret
  f.string().references('users').secret();
  f.string().secret();
}

export function sensitive(): void {
  // @ts-expect-error a reference holds a plain record id: not sensitive
  f.string().references('conversations').sensitive();
  f.string().unique().sensitive({ searchable: true });
  // @ts-expect-error a sensitive field cannot become a reference
  f.string().sensitive().references('conversations');
  f.string().optional().references('conversations', { onDelete: 'set null' });
  // @ts-expect-error an enum field holds no record id
  f.enum(['a', 'b']).references('conversations');
  f.text().references('conversations');
  defineRepository('accounts', {
    id: f.id(),
    ownerId: f.string().references('users'),
    pin: f.string().secret(),
    note: f.text().optional().sensitive(),
  });
}

export function uniqueSecrets(): void {
  // @ts-expect-error a secret is a salted hash: duplicates never collide, so it cannot be unique
  f.string().secret().unique();
  f.string().secret().optional();
  // @ts-expect-error a unique field cannot become a secret, for the same reason
  f.string().unique().secret();
  f.string().unique().sensitive({ searchable: true });
}
