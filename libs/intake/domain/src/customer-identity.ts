import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { CustomerIdentity } from '@klaxon/contracts';

/** E.164, so "06 12345678", "+31612345678" and "0031 6 1234 5678" are one caller. */
export function normalisePhone(raw: string, defaultCountry: CountryCode = 'NL'): string | undefined {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry);
  return parsed?.isValid() ? parsed.number : undefined;
}

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Identities in one canonical form, so later stages can link a customer across channels. */
export function normaliseIdentity(
  identity: CustomerIdentity,
  defaultCountry: CountryCode = 'NL',
): CustomerIdentity {
  const out: CustomerIdentity = {};
  if (identity.name?.trim()) out.name = identity.name.trim();
  if (identity.email?.trim()) out.email = normaliseEmail(identity.email);
  if (identity.phone?.trim())
    out.phone = normalisePhone(identity.phone, defaultCountry) ?? identity.phone.trim();
  if (identity.customerNumber?.trim()) out.customerNumber = identity.customerNumber.trim().toUpperCase();
  if (identity.handle?.trim()) out.handle = identity.handle.trim().replace(/^@/, '').toLowerCase();
  return out;
}
