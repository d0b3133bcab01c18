import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadClassifier, serializeModel, trainModel } from '@klaxon/classification/domain';
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

  // The categories the old demo routing rules used: a model that says them reaches no rule's team.
  const outsideTaxonomy = [
    {
      text: 'de factuur klopt niet, twee keer afgeschreven',
      complaint: 'latent' as const,
      category: 'billing',
    },
    { text: 'te veel betaald voor mijn abonnement', complaint: 'latent' as const, category: 'price' },
    { text: 'mijn pakket is niet bezorgd', complaint: 'latent' as const, category: 'delivery' },
    { text: 'wat zijn de openingstijden', complaint: 'none' as const },
    { text: 'bedankt voor de hulp', complaint: 'none' as const },
  ];

  it('refuses at start a model whose category classes are not in the taxonomy, naming them', () => {
    const file = path.join(dir, 'model.json');
    writeFileSync(file, serializeModel(trainModel(outsideTaxonomy, { name: 'old-words' })));
    expect(() => new ClassifierProvider({ modelPath: file, reloadIntervalMs: 0 }, silentLogger)).toThrow(
      /model old-words does not speak the taxonomy: category classes \["billing","price"\] are not categories of the taxonomy \(delivery, product, communication, price-billing, staff\)/,
    );
  });

  it('keeps the current model when the new version says categories outside the taxonomy', () => {
    const file = path.join(dir, 'model.json');
    writeFileSync(file, serializeModel(trainModel(examples, { name: 'good' })));
    const provider = new ClassifierProvider({ modelPath: file, reloadIntervalMs: 0 }, silentLogger);
    writeFileSync(file, serializeModel(trainModel(outsideTaxonomy, { name: 'old-words' })));
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(provider.reloadIfChanged()).toBe(false);
    expect(provider.current.modelVersion).toMatch(/^good-/);
    expect(provider.current.classify({ text: 'de factuur klopt niet', channel: 'web' }).category).toBe(
      'uncategorised',
    );
    provider.onModuleDestroy();
  });

  it('says which default category or priority class is outside the taxonomy', () => {
    const model = trainModel(examples, { name: 'odd', defaultCategory: 'other' });
    expect(() => loadClassifier(serializeModel(model))).toThrow(
      /defaultCategory "other" is not in the taxonomy \(delivery, product, communication, price-billing, staff, uncategorised\)/,
    );
    const urgent = trainModel(
      [
        {
          text: 'mijn pakket is niet bezorgd',
          complaint: 'latent',
          category: 'delivery',
          priority: 'urgent' as 'high', // what a JSONL line could say
        },
        { text: 'de factuur klopt niet', complaint: 'latent', category: 'price-billing', priority: 'normal' },
        ...examples,
      ],
      { name: 'urgent' },
    );
    expect(() => loadClassifier(serializeModel(urgent))).toThrow(
      /priority classes \["urgent"\] are not priorities/,
    );
  });
});
