import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNpmStart, type NpmStartProcess } from '@klaxon/testing';
import { SAMPLE_TEXTS, getJson, postComplaint, type ComplaintViewLite } from '../support/api';
import { waitFor } from '../support/wait-for';

// `npm start` stopped mid-burst loses nothing: every complaint answered 202 is classified once the app
// runs again on the same data folder — whether the stop came as SIGTERM to the process group (a
// terminal, a supervisor) or to the npm process alone (`kill <pid>`, after which node must stop too).
jest.setTimeout(600_000);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-stop-'));
const env = { DATA_DIR: dataDir, KAFKA_BROKERS: '', DATABASE_URL: '' };
let app: NpmStartProcess | undefined;

afterAll(async () => {
  app?.signalGroup('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Posts `count` complaints, `parallel` at a time, and calls `stop` once `stopAfter` were accepted;
 * returns the ids answered 202 (requests cut off by the stop simply fail).
 */
async function burst(
  target: NpmStartProcess,
  run: number,
  count: number,
  stopAfter: number,
  stop: () => void,
): Promise<string[]> {
  const accepted: string[] = [];
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      try {
        const { status, json } = await postComplaint(target.url, {
          channel: 'web',
          text: `${SAMPLE_TEXTS[n % SAMPLE_TEXTS.length]} (run ${run}, #${n})`,
          customer: { email: `stop-${run}-${n}@example.nl` },
        });
        if (status === 202) accepted.push(String(json.id));
      } catch {
        // the app is stopping: not accepted
      }
      if (!stopped && accepted.length >= stopAfter) {
        stopped = true;
        stop();
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return accepted;
}

it('classifies every accepted complaint after SIGTERM mid-burst, to the group or to npm alone', async () => {
  app = await startNpmStart(env);
  const first = app;
  const acceptedA = await burst(first, 1, 300, 150, () => first.signalGroup('SIGTERM'));
  await first.gone(60_000);

  app = await startNpmStart(env);
  const second = app;
  const acceptedB = await burst(second, 2, 300, 150, () => second.signalNpm('SIGTERM'));
  // The node process stops with npm: the whole group is gone, and the port is free again.
  await second.gone(60_000);
  await expect(fetch(`${second.url}/health/live`)).rejects.toThrow();

  expect(acceptedA.length).toBeGreaterThanOrEqual(150);
  expect(acceptedB.length).toBeGreaterThanOrEqual(150);
  app = await startNpmStart(env);
  const third = app;
  const accepted = [...acceptedA, ...acceptedB];
  await waitFor(
    'no complaint left unclassified',
    async () =>
      (await getJson<{ total: number }>(`${third.url}/api/complaints?status=received&pageSize=1`)).json
        .total === 0,
    180_000,
    500,
  );
  const views: ComplaintViewLite[] = [];
  for (let i = 0; i < accepted.length; i += 20) {
    const chunk = accepted.slice(i, i + 20);
    views.push(
      ...(await Promise.all(
        chunk.map(async (id) => (await getJson<ComplaintViewLite>(`${third.url}/api/complaints/${id}`)).json),
      )),
    );
  }
  const classified = views.filter((v) => v.classification !== null).length;
  expect({ accepted: accepted.length, classified }).toEqual({
    accepted: accepted.length,
    classified: accepted.length,
  });
  third.signalGroup('SIGTERM');
  await third.gone(60_000);
});
