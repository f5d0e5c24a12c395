import { isCiphertextText } from '../crypto/ciphertext-format.js';
import { isEnvelopeText } from '../record/record-envelope.js';
import type { RepositoryPlan } from '../repository-plan.js';

/**
 * Whether `value`, stored in field `field` of a planned repository, is one
 * of the plugin's ciphertexts as it stores that field now (see
 * `Plugin.isStoredCiphertext`). Field mode: an encrypted field holds v1
 * ciphertexts. Record mode: the envelope field holds envelopes, and a
 * sealed field's values live only in the envelope, so anything stored
 * under the sealed field's own name (plaintext, or a ciphertext of field
 * mode) is not one of them. Undefined for a field the plan does not protect.
 *
 * @example
 * ```ts
 * isStoredCiphertext(plan, 'ssn', '123-45-6789'); // false
 * isStoredCiphertext(plan, 'name', 'Ada');        // undefined: not protected
 * ```
 */
export function isStoredCiphertext(plan: RepositoryPlan, field: string, value: unknown): boolean | undefined {
  if (plan.mode === 'record') {
    if (field === plan.envelopeField) return isEnvelopeText(value);
    return plan.fields.has(field) ? false : undefined;
  }
  return plan.fields.has(field) ? isCiphertextText(value) : undefined;
}
