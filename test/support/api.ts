/** A tiny client for the intake API, as the company's own site would call it. */
export interface ComplaintBody {
  channel: 'web' | 'phone';
  text: string;
  customer: Record<string, string>;
  [k: string]: unknown;
}

export async function postComplaint(baseUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/api/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; json: T }> {
  const res = await fetch(url);
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
