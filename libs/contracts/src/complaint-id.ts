import { createHash } from 'node:crypto';
import type { Channel } from './primitives';

/**
 * The stable complaint id: the same channel + source id always gives the same id, so a duplicate
 * (a re-read mail, a retried form post) is recognised anywhere downstream.
 */
export function complaintIdFor(channel: Channel, sourceId: string): string {
  const digest = createHash('sha256').update(`${channel}\u0000${sourceId}`).digest();
  return `cmp_${BigInt('0x' + digest.subarray(0, 16).toString('hex'))
    .toString(36)
    .padStart(25, '0')}`;
}

/** The short reference a customer quotes, `KLX-XXXX-XXXX`, from the complaint id (as intake shows it). */
export function complaintReference(complaintId: string): string {
  const core = complaintId.replace(/^cmp_/, '').toUpperCase();
  return `KLX-${core.slice(0, 4)}-${core.slice(4, 8)}`;
}
