import { isIP } from 'node:net';
import { z } from 'zod';

/** One address or CIDR range (IPv4 or IPv6): what Fastify's `trustProxy` (proxy-addr) accepts. */
function isAddressOrRange(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * `TRUST_PROXY`: `off` (no proxy: X-Forwarded-For is ignored, the client address is the peer's) or a
 * comma-separated list of the proxies' addresses / CIDR ranges, whose X-Forwarded-For entries are believed.
 */
export const trustProxyVar = z.string().transform((spec, ctx): string[] | false => {
  const value = spec.trim();
  if (value === '' || value === 'off' || value === 'false') return false;
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !isAddressOrRange(e));
  if (bad.length) {
    ctx.addIssue({
      code: 'custom',
      message: `must be off or a comma-separated list of IP addresses / CIDR ranges; not ${bad.join(', ')}`,
    });
    return z.NEVER;
  }
  return entries;
});
