import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { CaseEventEvent, complaintIdFor, decodeEvent, encodeEvent, type CaseEvent } from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import { silentLogger } from '@klaxon/platform/observability';
import { createDataSource, runMigrations } from '@klaxon/platform/persistence';
import { startPostgresCluster, type PostgresCluster } from '@klaxon/testing';
import { RecordCorrectionsService } from './record-corrections.service';

// Real PostgreSQL (a throwaway cluster), real contract encoding/decoding, the real CLI for export/retrain.
jest.setTimeout(120_000);

let pg: PostgresCluster;
let ds: DataSource;
let url: string;
let service: RecordCorrectionsService;
const known = complaintIdFor('web', 'form-correction-1');
const unknown = complaintIdFor('web', 'form-never-seen');

function caseEvent(data: Partial<CaseEvent> & { caseEventId: string }): ConsumedEvent<CaseEvent> {
  const full: CaseEvent = {
    complaintId: known,
    action: 'corrected',
    actor: { type: 'user', id: 'u-anna' },
    at: '2026-11-25T09:00:00.000+01:00',
    ...data,
  };
  const encoded = encodeEvent(CaseEventEvent, full, { eventId: `evt-${data.caseEventId}` });
  const decoded = decodeEvent(CaseEventEvent, encoded.value);
  if (!decoded.ok) throw new Error(decoded.message);
  return {
    envelope: decoded.envelope,
    message: {
      topic: encoded.topic,
      partition: 0,
      offset: '0',
      key: encoded.key,
      value: encoded.value,
      headers: {},
    },
  };
}

beforeAll(async () => {
  pg = await startPostgresCluster();
  url = await pg.createDatabase('corrections');
  ds = createDataSource({ url, poolMax: 2 });
  await ds.initialize();
  await runMigrations(ds);
  await ds.query(
    `INSERT INTO complaints (id, channel, source_id, status, received_at, subject, text, language, complaint_label, category, priority, model_version)
     VALUES ($1, 'web', 'form-correction-1', 'classified', now(), 'Levering', 'Mijn bestelling is voor de derde keer naar het verkeerde adres gestuurd.', 'nl', 'latent', 'communication', 'normal', 'klaxon-default-000000000000')`,
    [known],
  );
  service = new RecordCorrectionsService(ds, silentLogger);
});

afterAll(async () => {
  await ds?.destroy();
  await pg?.stop();
});

describe('corrections become training examples', () => {
  it('stores the complaint text with the corrected label, once, however often the event arrives', async () => {
    const batch = [caseEvent({ caseEventId: 'c1', correction: { category: 'delivery' } })];
    expect((await service.handle(batch)).rejected).toEqual([]);
    expect((await service.handle(batch)).rejected).toEqual([]);
    const rows = await ds.query(
      `SELECT complaint_id, text, subject, language, complaint, category, priority, corrected_by, model_version FROM training_examples`,
    );
    expect(rows).toEqual([
      {
        complaint_id: known,
        text: 'Mijn bestelling is voor de derde keer naar het verkeerde adres gestuurd.',
        subject: 'Levering',
        language: 'nl',
        complaint: null,
        category: 'delivery',
        priority: null,
        corrected_by: 'user:u-anna',
        model_version: 'klaxon-default-000000000000',
      },
    ]);
  });

  it('merges a later correction of another label and lets a newer correction of the same label win', async () => {
    await service.handle([
      caseEvent({ caseEventId: 'c3', at: '2026-11-25T09:10:00.000+01:00', correction: { priority: 'high' } }),
      caseEvent({
        caseEventId: 'c2',
        at: '2026-11-25T09:05:00.000+01:00',
        correction: { priority: 'critical', complaint: 'explicit' },
      }),
      caseEvent({ caseEventId: 'ack', action: 'acknowledged' }),
    ]);
    const [row] = await ds.query(
      `SELECT complaint, category, priority, case_event_id FROM training_examples WHERE complaint_id = $1`,
      [known],
    );
    expect(row).toEqual({
      complaint: 'explicit',
      category: 'delivery',
      priority: 'high',
      case_event_id: 'c3',
    });
  });

  it('dead-letters corrections without labels or for unknown complaints, with the reason, and keeps the rest', async () => {
    const empty = caseEvent({ caseEventId: 'c4' });
    const stranger = caseEvent({
      caseEventId: 'c5',
      complaintId: unknown,
      correction: { category: 'staff' },
    });
    const { rejected } = await service.handle([
      empty,
      stranger,
      caseEvent({
        caseEventId: 'c6',
        at: '2026-11-25T10:00:00.000+01:00',
        correction: { category: 'product' },
      }),
    ]);
    expect(rejected.map((r) => [r.event.envelope.eventId, (r.error as { code: string }).code])).toEqual([
      ['evt-c4', 'correction-without-labels'],
      ['evt-c5', 'unknown-complaint'],
    ]);
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM processed_events WHERE event_id = 'evt-c5'`,
    );
    expect(n).toBe(0);
    const [row] = await ds.query(`SELECT category FROM training_examples WHERE complaint_id = $1`, [known]);
    expect(row.category).toBe('product');
  });

  it('exports them as training JSONL and retrains on base data plus corrections in one command', async () => {
    const root = path.join(__dirname, '..', '..', '..', '..');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-retrain-'));
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile('npm', ['run', '-s', 'classifier', '--', ...args], { cwd: root }, (error, stdout, stderr) =>
          resolve({ code: error ? 1 : 0, stdout, stderr }),
        ),
      );
    try {
      const exported = await cli(['export-corrections', '--database-url', url]);
      expect(exported.code).toBe(0);
      expect(
        exported.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      ).toEqual([
        {
          id: known,
          text: 'Mijn bestelling is voor de derde keer naar het verkeerde adres gestuurd.',
          subject: 'Levering',
          lang: 'nl',
          complaint: 'explicit',
          category: 'product',
          priority: 'high',
        },
      ]);
      writeFileSync(
        path.join(dir, 'base.jsonl'),
        ['Wat kost verzending naar België?', 'Hoe laat gaat de winkel open?', 'Mijn pakket is niet bezorgd.']
          .map((text, i) =>
            JSON.stringify({
              text,
              complaint: i < 2 ? 'none' : 'latent',
              ...(i === 2 ? { category: 'delivery' } : {}),
            }),
          )
          .join('\n'),
      );
      const retrained = await cli([
        'retrain',
        '--database-url',
        url,
        '--data',
        path.join(dir, 'base.jsonl'),
        '--out',
        path.join(dir, 'model.json'),
        '--folds',
        '0',
      ]);
      expect(retrained.code).toBe(0);
      expect(retrained.stdout).toMatch(/1 corrections from the database/);
      expect(retrained.stdout).toMatch(/4 training examples/);
      expect(JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')).trainedOn.examples).toBe(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
