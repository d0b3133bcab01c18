import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serializeModel, trainModel } from '@klaxon/classification/domain';
import { silentLogger } from '@klaxon/platform/observability';
import { ClassifierProvider } from './classifier.provider';

const examples = [
  { text: 'mijn pakket is niet bezorgd', complaint: 'latent' as const },
  { text: 'de factuur klopt niet', complaint: 'latent' as const },
  { text: 'wat zijn de openingstijden', complaint: 'none' as const },
  { text: 'bedankt voor de hulp', complaint: 'none' as const },
];

describe('ClassifierProvider', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-model-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the shipped model when no path is configured', () => {
    const provider = new ClassifierProvider({ reloadIntervalMs: 0 }, silentLogger);
    expect(provider.current.modelVersion).toMatch(/^klaxon-default-/);
    expect(
      provider.current.classify({ text: 'Mijn pakket is niet bezorgd.', channel: 'web' }).modelVersion,
    ).toBe(provider.current.modelVersion);
  });

  it('picks up a new model version without a restart and keeps the old one when the new file is broken', () => {
    const file = path.join(dir, 'model.json');
    writeFileSync(file, serializeModel(trainModel(examples, { name: 'first' })));
    const provider = new ClassifierProvider({ modelPath: file, reloadIntervalMs: 0 }, silentLogger);
    expect(provider.current.modelVersion).toMatch(/^first-/);
    expect(provider.reloadIfChanged()).toBe(false);

    writeFileSync(`${file}.tmp`, serializeModel(trainModel(examples, { name: 'second' })));
    renameSync(`${file}.tmp`, file);
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(provider.reloadIfChanged()).toBe(true);
    expect(provider.current.modelVersion).toMatch(/^second-/);

    writeFileSync(file, '{"format":"klaxon-classifier", "broken');
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    expect(provider.reloadIfChanged()).toBe(false);
    expect(provider.current.modelVersion).toMatch(/^second-/);
    provider.onModuleDestroy();
  });
});
