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
export function identitiesOf(
  customer: CustomerIdentity,
  defaultCountry: CountryCode = 'NL',
): NormalisedIdentity[] {
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

export const identityKey = (i: NormalisedIdentity): string => `${i.kind}:${i.value}`;

export interface LinkEvidence {
  complaintId: string;
  kind: IdentityKind;
  value: string;
}

/**
 * Splits a customer's remaining links into the groups they still hold together: complaints and
 * identities connected through any chain of links. Groups come oldest complaint first when
 * `order` gives the complaints' order (e.g. by received time).
 */
export function linkGroups(
  links: readonly LinkEvidence[],
  order: readonly string[] = [],
): Array<{ complaintIds: string[]; identities: string[] }> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(x, root);
    return root;
  };
  const add = (x: string) => (parent.has(x) ? undefined : parent.set(x, x));
  for (const l of links) {
    const c = `c:${l.complaintId}`;
    const i = `i:${l.kind}:${l.value}`;
    add(c);
    add(i);
    const [a, b] = [find(c), find(i)];
    if (a !== b) parent.set(b, a);
  }
  const groups = new Map<string, { complaintIds: string[]; identities: string[] }>();
  for (const node of parent.keys()) {
    const root = find(node);
    const g = groups.get(root) ?? { complaintIds: [], identities: [] };
    if (node.startsWith('c:')) g.complaintIds.push(node.slice(2));
    else g.identities.push(node.slice(2));
    groups.set(root, g);
  }
  const rank = (id: string) => {
    const i = order.indexOf(id);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...groups.values()]
    .map((g) => ({
      complaintIds: g.complaintIds.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)),
      identities: g.identities.sort(),
    }))
    .sort(
      (a, b) =>
        rank(a.complaintIds[0]) - rank(b.complaintIds[0]) ||
        a.complaintIds[0].localeCompare(b.complaintIds[0]),
    );
}
