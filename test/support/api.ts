/** A tiny client for the intake API, as the company's own site would call it (with an API key). */

/** The key `npm start` (embedded mode) has with every scope. */
export const DEMO_API_KEY = 'demo';
/** The key end-to-end tests give standalone apps through API_KEYS. */
export const E2E_API_KEY = 'e2e-key-5f0c1b7e9a3d4c2b-0123456789abcdef';
export const E2E_API_KEYS_ENV = { API_KEYS: `e2e:${E2E_API_KEY}:submit+read+act+admin` };

let apiKey = DEMO_API_KEY;
/** Which key the helpers below send (`demo` unless a test says otherwise). */
export function useApiKey(key: string): void {
  apiKey = key;
}
export const authHeaders = (key = apiKey): Record<string, string> => ({ authorization: `Bearer ${key}` });

export interface ComplaintBody {
  channel: 'web' | 'phone';
  text: string;
  customer: Record<string, string>;
  [k: string]: unknown;
}

export async function postComplaint(
  baseUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/api/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders(), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export async function getJson<T = Record<string, unknown>>(
  url: string,
): Promise<{ status: number; json: T }> {
  const res = await fetch(url, { headers: authHeaders() });
  return { status: res.status, json: (await res.json()) as T };
}

export interface ComplaintViewLite {
  id: string;
  status: string;
  classification: { category: string; priority: string; complaint: string; modelVersion: string } | null;
  owner: { id: string; teamId: string; reason: unknown } | null;
  deadlines: Array<{ clock: string; deadline: string; status: string }>;
  history: Array<{ kind: string; actor: string }>;
}

/** Done = classified, owned, and its clocks set. */
export function isFullyProcessed(v: ComplaintViewLite): boolean {
  return Boolean(v.classification && v.owner && v.deadlines.length >= 4);
}

/** Dutch and English complaint texts, varied enough to reach several teams. */
export const SAMPLE_TEXTS = [
  'Mijn pakket is al voor de derde keer niet bezorgd terwijl ik gewoon thuis was. Dit is echt belachelijk.',
  'I was charged twice for my subscription this month and nobody answers my emails. I want a refund.',
  'De medewerker aan de telefoon was ontzettend onbeschoft en hing gewoon op.',
  'The blender I bought last week already stopped working, the motor smells burnt.',
  'Ik heb drie keer gebeld over mijn factuur en elke keer krijg ik een ander verhaal te horen.',
  'My order arrived damaged and the box was completely soaked. Very disappointed.',
];
