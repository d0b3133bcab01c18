import type { DataSource } from 'typeorm';
import { CLASSIFIED_CATEGORIES, type ClassifiedCategory } from '@klaxon/contracts';
import { ApiError } from '@klaxon/platform/runtime';
import { DEFAULT_POLICIES, type SlaPolicy } from '@klaxon/sla/domain';
import { ClockPlannerService } from './clock-planner.service';
import { KpiController } from './kpi.controller';
import { SlaPreviewController } from './sla-preview.controller';
import { DEFAULT_SLA_OPTIONS, SlaModule } from './sla.module';

const clock = { now: () => new Date('2026-11-24T09:00:00Z') };
const preview = new SlaPreviewController(
  new ClockPlannerService(DEFAULT_SLA_OPTIONS),
  DEFAULT_SLA_OPTIONS,
  clock,
);
// The query is refused before the database is asked: no connection is needed to prove it.
const kpis = new KpiController(null as unknown as DataSource, DEFAULT_SLA_OPTIONS, clock);

/** What the HTTP filter turns into the error body: status and `{ error: { code, message, field } }`. */
function refusal(run: () => unknown): { status: number; body: unknown } {
  try {
    run();
  } catch (err) {
    if (err instanceof ApiError) return { status: err.getStatus(), body: err.getResponse() };
    throw err;
  }
  throw new Error('expected the request to be refused');
}

describe('the SLA stage and the taxonomy', () => {
  it.each(CLASSIFIED_CATEGORIES)('previews the deadlines of a complaint in %s', (category) => {
    expect(preview.preview({ priority: 'high', channel: 'email', category }).policy.id).toBe('high');
  });

  it.each(['billing', 'price', 'Delivery', 'x'])(
    'refuses a preview for the unknown category %s',
    (category) => {
      expect(refusal(() => preview.preview({ priority: 'normal', channel: 'email', category }))).toEqual({
        status: 400,
        body: {
          error: {
            code: 'invalid-field',
            field: 'category',
            message: expect.stringContaining('price-billing'),
          },
        },
      });
    },
  );

  it('refuses KPIs filtered on a category outside the taxonomy', async () => {
    await expect(kpis.kpis({ category: 'billing' })).rejects.toMatchObject({
      status: 400,
      response: { error: { code: 'invalid-field', field: 'category' } },
    });
  });

  it('refuses at start policies whose conditions name a category outside the taxonomy', () => {
    expect(() => SlaModule.forRoot({})).not.toThrow();
    const billing: SlaPolicy = {
      id: 'billing-fast',
      when: { category: ['billing' as ClassifiedCategory], priority: ['high'] },
      clocks: DEFAULT_POLICIES[0].clocks,
    };
    expect(() => SlaModule.forRoot({ policies: [billing, ...DEFAULT_POLICIES] })).toThrow(
      /policies\[0\] \(billing-fast\)\.when\.category\[0\]: unknown category "billing"/,
    );
  });
});
