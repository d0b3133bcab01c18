/** The complaint reference customers see (`KLX-ABCD-1234`) as it appears in a subject line. */
const REFERENCE = /\bKLX-([0-9A-Z]{4})-([0-9A-Z]{4})\b/i;

export function findReference(subject: string | undefined): string | undefined {
  if (!subject) return undefined;
  const m = REFERENCE.exec(subject);
  return m ? `KLX-${m[1].toUpperCase()}-${m[2].toUpperCase()}` : undefined;
}

/** The complaint-id prefix a reference stands for: `KLX-ABCD-1234` → `cmp_abcd1234`. */
export function complaintIdPrefixFor(reference: string): string {
  const m = REFERENCE.exec(reference);
  if (!m) throw new Error(`not a complaint reference: ${reference}`);
  return `cmp_${m[1]}${m[2]}`.toLowerCase();
}

/** The reference of a complaint id (same rule as the intake's acknowledgement). */
export function referenceOf(complaintId: string): string {
  const core = complaintId.replace(/^cmp_/, '').toUpperCase();
  return `KLX-${core.slice(0, 4)}-${core.slice(4, 8)}`;
}
