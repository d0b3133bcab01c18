/**
 * Text no request may carry: C0 control characters other than tab, line feed and carriage return,
 * DEL, C1 controls, and lone UTF-16 surrogates (PostgreSQL cannot store U+0000, nor UTF-8 a lone
 * surrogate: they would fail deep inside as a 500).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isUnsafeText(value: string): boolean {
  return CONTROL.test(value) || LONE_SURROGATE.test(value);
}

/** The path (`customer.name`, `items.2`) of the first unsafe string or key in a parsed body or query; null when clean. */
export function findUnsafeText(value: unknown, path: string[] = [], depth = 0): string | null {
  if (typeof value === 'string') return isUnsafeText(value) ? path.join('.') || 'body' : null;
  if (!value || typeof value !== 'object' || depth > 64) return null;
  for (const [key, child] of Object.entries(value)) {
    if (isUnsafeText(key)) return [...path, key.replace(CONTROL, '?')].join('.');
    const found = findUnsafeText(child, [...path, key], depth + 1);
    if (found !== null) return found;
  }
  return null;
}
