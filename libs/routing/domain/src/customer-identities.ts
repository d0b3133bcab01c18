import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { CustomerIdentity } from '@klaxon/contracts';

export type IdentityKind = 'email' | 'phone' | 'handle' | 'customer-number';

export interface NormalisedIdentity {
  kind: IdentityKind;
  value: string;
}

/**
 * The identities of one complaint's customer in canonical form: lower-cased email, E.164 phone,
 * X handle without `@` in lower case, customer number in upper case. A phone that does not parse is
 * left out (it could link strangers).
 */
export function identitiesOf(customer: CustomerIdentity, defaultCountry: CountryCode = 'NL'): NormalisedIdentity[] {
  const out: NormalisedIdentity[] = [];
  const email = customer.email?.trim().toLowerCase();
  if (email && email.includes('@')) out.push({ kind: 'email', value: email });
  if (customer.phone?.trim()) {
    const parsed = parsePhoneNumberFromString(customer.phone, defaultCountry);
    if (parsed?.isValid()) out.push({ kind: 'phone', value: parsed.number });
  }
  const handle = customer.handle?.trim().replace(/^@/, '').toLowerCase();
  if (handle) out.push({ kind: 'handle', value: handle });
  const number = customer.customerNumber?.trim().toUpperCase();
  if (number) out.push({ kind: 'customer-number', value: number });
  return out;
}
