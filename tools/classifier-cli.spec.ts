import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The command line as users run it: `npm run -s classifier -- ...` from the repository root.
const root = path.join(__dirname, '..');
const cli = (args: string[], input?: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      'npm',
      ['run', '-s', 'classifier', '--', ...args],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input ?? '');
  });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-classifier-cli-'));
  const lines = [
    ['Mijn pakket is weer niet bezorgd, al de derde keer.', 'latent', 'delivery', 'high'],
    ['De bezorger heeft het pakket in de regen laten staan.', 'latent', 'delivery', 'normal'],
    ['Ik wil een klacht indienen: twee keer afgeschreven.', 'explicit', 'price-billing', 'normal'],
    ['Klacht: de factuur klopt niet en niemand reageert.', 'explicit', 'price-billing', 'normal'],
    ['My parcel was delivered to the wrong address again.', 'latent', 'delivery', 'normal'],
    ['I want to complain: charged twice for one order.', 'explicit', 'price-billing', 'high'],
    ['The courier left my parcel outside in the rain.', 'latent', 'delivery', 'normal'],
    ['Complaint: the invoice is wrong and nobody answers.', 'explicit', 'price-billing', 'normal'],
    ['Wat zijn de openingstijden op zaterdag?', 'none'],
    ['Bedankt voor de snelle hulp!', 'none'],
    ['How do I change my address?', 'none'],
    ['Thanks, the new phone works great.', 'none'],
  ].map(([text, complaint, category, priority]) =>
    JSON.stringify({ text, complaint, ...(category ? { category, priority } : {}) }),
  );
  writeFileSync(path.join(dir, 'train.jsonl'), lines.join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run classifier', () => {
  it('trains with cross-validated metrics per label and writes a versioned model file', async () => {
    const r = await cli([
      'train',
      '--data',
      path.join(dir, 'train.jsonl'),
      '--out',
      path.join(dir, 'model.json'),
      '--name',
      'cli-test',
      '--folds',
      '3',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3-fold cross-validation/);
    for (const label of ['complaint', 'complaint-kind', 'category', 'priority'])
      expect(r.stdout).toMatch(new RegExp(`^${label}: n=\\d+ accuracy=[0-9.]+ macro-F1=[0-9.]+`, 'm'));
    const model = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(model.modelVersion).toMatch(/^cli-test-[0-9a-f]{12}$/);
    expect(r.stdout).toContain(model.modelVersion);
  });

  it('classifies JSONL from stdin to stdout, one line per input with the same id, nothing else on stdout', async () => {
    const input = [
      { id: 'a', text: 'Mijn pakket is alweer niet bezorgd.' },
      { id: 7, text: 'How do I change my address?' },
      { id: 'bad' },
      { id: 'empty', text: '' },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n');
    const r = await cli(['classify', '--model', path.join(dir, 'model.json')], input + '\nnot json\n');
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.id)).toEqual(['a', 7, 'bad', 'empty', null]);
    expect(out[0]).toMatchObject({
      lang: 'nl',
      complaint: expect.stringMatching(/explicit|latent|none/),
      category: expect.any(String),
      priority: expect.any(String),
      why: expect.any(Array),
    });
    expect(out[0].complaintProbability).toBeGreaterThanOrEqual(0);
    expect(out[0].modelVersion).toMatch(/^cli-test-/);
    expect(out[2].error).toMatch(/line 3: "text" must be a string/);
    expect(out[4].error).toMatch(/line 5/);
    expect(r.stderr).toMatch(/line 3/);
    expect(r.code).toBe(1);
  });

  it('classifies with the shipped model when --model is left out', async () => {
    const r = await cli(
      ['classify'],
      JSON.stringify({ id: 1, text: 'Ik wil een klacht indienen, mijn advocaat is ingeschakeld.' }) + '\n',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      id: 1,
      lang: 'nl',
      complaint: 'explicit',
      priorityReasons: ['legal-threat'],
      modelVersion: expect.stringMatching(/^klaxon-default-/),
    });
  });

  it('evaluates: accuracy, macro-F1, per-class precision/recall and the confusion matrix', async () => {
    const r = await cli([
      'evaluate',
      '--model',
      path.join(dir, 'model.json'),
      '--data',
      path.join(dir, 'train.jsonl'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^complaint: n=12 accuracy=/m);
    expect(r.stdout).toMatch(/precision=[0-9.]+ recall=[0-9.]+ f1=[0-9.]+ support=\d+/);
    expect(r.stdout).toMatch(/confusion \(rows gold, columns predicted\): complaint \| not/);
  });

  it('trains on the mix and evaluates it per source and language (here on the project own sources)', async () => {
    const out = path.join(dir, 'mix.json');
    const trained = await cli([
      'train-mix',
      '--only',
      'handwritten-nl,klaxon',
      '--out',
      out,
      '--name',
      'mix-test',
    ]);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/^handwritten-nl\s+train\s+\d+\s+held out\s+\d+$/m);
    const model = JSON.parse(readFileSync(out, 'utf8'));
    expect(model.trainedOn.sources).toEqual({
      klaxon: expect.any(Number),
      'handwritten-nl': expect.any(Number),
    });
    expect(model.trainedOn.inputHash).toMatch(/^[0-9a-f]{64}$/);
    const r = await cli(['evaluate', '--only', 'handwritten-nl,klaxon', '--scenarios', 'c', '--model', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\| scenario \| source \| lang \| n \| complaint\/not macro-F1/m);
    expect(r.stdout).toMatch(/^\| shipped, held out \| handwritten-nl \| nl \| \d+ \| [0-9.]+ \|/m);
    expect(r.stdout).toMatch(/^\| shipped, held out \| klaxon \| en \|/m);
  });

  it('fails with a usage message on bad arguments and names the bad line of training data', async () => {
    const usage = await cli(['train', '--out', path.join(dir, 'x.json')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--data is required[\s\S]*usage:/);
    writeFileSync(
      path.join(dir, 'bad.jsonl'),
      '{"text":"ok","complaint":true}\n{"text":"x","priority":"urgent"}\n',
    );
    const bad = await cli([
      'train',
      '--data',
      path.join(dir, 'bad.jsonl'),
      '--out',
      path.join(dir, 'x.json'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.jsonl:2: "priority" must be/);
  });
});
