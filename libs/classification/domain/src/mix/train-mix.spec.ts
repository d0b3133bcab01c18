import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultModelPath } from '../classifier';
import { parseModelFile, serializeModel } from '../model-file';
import { parseTrainingJsonl } from '../training';
import { mixHash, readMix, splitSource, type MixExample } from './read-mix';
import { banking77, bitext, semevalDutch } from './sources';
import { trainingPart, trainOnMix } from './train-mix';

const repo = join(__dirname, '..', '..', '..', '..', '..');
const own = join(repo, 'libs', 'classification', 'domain', 'training', 'klaxon-training.jsonl');
const OWN_SOURCES: Array<[string, string]> = [
  ['klaxon', own],
  ['handwritten-nl', join(repo, 'libs', 'classification', 'domain', 'training', 'handwritten-nl.jsonl')],
];

function smallMix(): MixExample[] {
  const rows = parseTrainingJsonl(readFileSync(own, 'utf8'))
    .filter((_, i) => i % 8 === 0)
    .map((e, i) => ({ ...e, source: 'klaxon', key: String(i) }));
  const bank = banking77(
    'text,category\n"My card still has not arrived, it has been two weeks",card_arrival\nHow do I activate my card?,activate_my_card\n' +
      'I was charged twice for one coffee,transaction_charged_twice\nWhat is the age limit?,age_limit\n',
    'train',
  );
  return [...splitSource(rows), ...splitSource(bank)];
}

describe('training on the mix', () => {
  it('reproduces the model file byte for byte from the same inputs', () => {
    const first = serializeModel(trainOnMix(smallMix(), { name: 'repro' }));
    const second = serializeModel(trainOnMix(smallMix(), { name: 'repro' }));
    expect(second).toBe(first);
    const model = parseModelFile(first);
    expect(model.trainedOn.inputHash).toBe(mixHash(trainingPart(smallMix())));
    expect(model.trainedOn.sources?.klaxon).toBe(
      trainingPart(smallMix()).filter((e) => e.source === 'klaxon').length,
    );
    expect(first).not.toMatch(/20\d\d-\d\d-\d\dT/); // no time stamp in the file
  });

  it('changes the input hash when one label changes', () => {
    const mix = trainingPart(smallMix());
    const changed = mix.map((e, i) =>
      i === 0 ? { ...e, complaint: e.complaint === 'none' ? 'latent' : 'none' } : e,
    );
    expect(mixHash(changed as MixExample[])).not.toBe(mixHash(mix));
  });

  it('splits by a hash of the row: the same rows are held out whatever the order', () => {
    const mix = smallMix();
    const reversed = splitSource(mix.slice().reverse());
    const heldOut = (rows: MixExample[]) =>
      rows
        .filter((e) => e.split === 'held-out')
        .map((e) => e.key)
        .sort();
    expect(heldOut(reversed)).toEqual(heldOut(mix));
    expect(heldOut(mix).length).toBeGreaterThan(0);
    expect(heldOut(mix).length).toBeLessThan(mix.length / 2);
  });

  it('is what the shipped model was trained on, when the shared data is present', () => {
    const model = parseModelFile(readFileSync(defaultModelPath(), 'utf8'));
    expect(model.trainedOn.inputHash).toMatch(/^[0-9a-f]{64}$/);
    const dataDir = join(repo, '..', 'shared', 'data');
    const { examples, missing } = existsSync(dataDir)
      ? readMix({ dataDir, own: OWN_SOURCES })
      : { examples: [], missing: ['all'] };
    if (missing.length === 0) expect(mixHash(trainingPart(examples))).toBe(model.trainedOn.inputHash);
    else
      expect(Object.keys(model.trainedOn.sources ?? {})).toEqual(
        expect.arrayContaining(['tweets', 'klaxon']),
      );
  });
});

describe('label mapping of the public sets', () => {
  it('reads Banking77 problems as latent with a category and questions as none', () => {
    const rows = banking77(
      'text,category\nMy card is not working,card_not_working\nHow old must I be?,age_limit\n"Is my transfer, still pending?",pending_transfer\n',
      'test',
    );
    expect(rows.map((r) => [r.complaint, r.category])).toEqual([
      ['latent', 'product'],
      ['none', undefined],
    ]);
  });

  it('reads the Bitext complaint intent as explicit and skips reviews', () => {
    const header =
      'context,role,instruction,intent,entity_type,entity_value,start_offset,end_offset,category,tags,response\n';
    const rows = bitext(
      header +
        'c,r,"I want to file a complaint, you people are useless",complaint,,,,,FEEDBACK,,x\n' +
        'c,r,great service,review,,,,,FEEDBACK,,x\n' +
        'c,r,I cannot pay my invoice {{Invoice Number}},payment_issue,,,,,PAYMENT,,x\n',
    );
    expect(rows.map((r) => [r.complaint, r.category, r.text])).toEqual([
      ['explicit', undefined, 'I want to file a complaint, you people are useless'],
      ['latent', 'price-billing', 'I cannot pay my invoice invoice number'],
    ]);
  });

  it('reads SemEval sentences with a negative opinion as complaints, with one clear category', () => {
    const xml = `<sentence id="a:1"><text>Lange wachttijd.</text><Opinions><Opinion target="wachttijd" category="SERVICE#GENERAL" polarity="negative" from="6" to="15"/></Opinions></sentence>
<sentence id="a:2"><text>Lekker &amp; goedkoop.</text><Opinions><Opinion target="NULL" category="FOOD#QUALITY" polarity="positive" from="0" to="0"/></Opinions></sentence>
<sentence id="a:3"><text>Te duur en koud eten.</text><Opinions><Opinion target="NULL" category="FOOD#PRICES" polarity="negative" from="0" to="0"/><Opinion target="eten" category="FOOD#QUALITY" polarity="negative" from="0" to="0"/></Opinions></sentence>`;
    expect(semevalDutch(xml).map((r) => [r.text, r.complaint, r.category])).toEqual([
      ['Lange wachttijd.', 'latent', 'staff'],
      ['Lekker & goedkoop.', 'none', undefined],
      ['Te duur en koud eten.', 'latent', undefined],
    ]);
  });
});
