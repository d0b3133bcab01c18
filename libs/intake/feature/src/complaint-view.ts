/** The API's view of a complaint: camelCase, ISO 8601 times with offset, kebab-case enum values. */
export interface ComplaintView {
  id: string;
  reference: string;
  channel: string;
  status: string;
  receivedAt: string;
  subject: string | null;
  text: string;
  customer: Record<string, unknown>;
  customerPicked: string | null;
  classification: {
    language: string;
    complaint: string;
    complaintProbability: number;
    category: string;
    categoryProbability: number;
    priority: string;
    priorityReasons: string[];
    why: string[];
    sentiment: number;
    reputationalRisk: boolean;
    modelVersion: string;
    classifiedAt: string;
  } | null;
  owner: { id: string; name: string; teamId: string; assignedAt: string; reason: unknown } | null;
  deadlines: Array<{ clock: string; deadline: string; warnAt: string; status: string }>;
  history?: Array<{ at: string; kind: string; actor: string; reason: string | null; data: unknown }>;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
