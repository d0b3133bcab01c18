import { readFileSync } from 'node:fs';
import { defaultModelPath, loadClassifier, type Classifier, type ClassifyInput } from './classifier';
import { crossValidate } from './evaluation';
import { serializeModel } from './model-file';
import { parseTrainingJsonl, plattScaling, trainModel, type TrainingExample } from './training';

const shipped = loadClassifier(readFileSync(defaultModelPath(), 'utf8'));
const classify = (text: string, extra: Partial<ClassifyInput> = {}) =>
  shipped.classify({ text, channel: 'web', ...extra });

describe('the shipped default model', () => {
  it('has a version derived from its name and content', () => {
    expect(shipped.modelVersion).toMatch(/^klaxon-default-[0-9a-f]{12}$/);
    expect(classify('Mijn pakket is niet bezorgd').modelVersion).toBe(shipped.modelVersion);
  });
});

describe('language', () => {
  it.each([
    ['Ik heb gisteren een nieuwe wasmachine gekocht en hij doet het al niet meer.', 'nl'],
    ['I bought a new washing machine yesterday and it already stopped working.', 'en'],
    ['Ich habe gestern eine neue Waschmaschine gekauft und sie funktioniert schon nicht mehr.', 'de'],
    ['Hallo, ik heb the wrong size ontvangen, kan ik die ruilen voor een grotere maat?', 'nl'],
    ["Je n'ai pas reçu la commande que j'ai passée la semaine dernière, c'est inacceptable.", 'fr'],
    ['Ich habe die Bestellung, die ich gestern gemacht habe, nicht bekommen.', 'de'],
  ])('%s → %s', (text, language) => {
    expect(classify(text).language).toBe(language);
  });

  it('falls back to the hint when the text is too short to tell', () => {
    expect(classify('👍', { languageHint: 'nl' }).language).toBe('nl');
  });
});

describe('complaint or not', () => {
  it.each([
    // latent: dissatisfaction without the word "complaint"
    ["Voor de derde keer deze week wordt mijn pakket 'bezorgd' bij niemand.", 'latent'],
    ['Al twee weken wacht ik op mijn geld terug en niemand reageert op mijn mails.', 'latent'],
    ["Third time this week my parcel is 'delivered' to nobody.", 'latent'],
    ['Still waiting for my refund after six weeks and nobody answers my emails.', 'latent'],
    // explicit
    ['Ik wil een klacht indienen over de monteur die veel te laat kwam.', 'explicit'],
    ['I want to make a complaint about the engineer who turned up hours late.', 'explicit'],
    // none: questions, praise
    ['Wat zijn de openingstijden van de winkel op zondag?', 'none'],
    ['Thanks for the quick delivery, everything arrived perfectly!', 'none'],
  ])('%s → %s', (text, label) => {
    const d = classify(text);
    expect(d.complaint).toBe(label);
    if (label === 'none') expect(d.complaintProbability).toBeLessThan(0.5);
    else expect(d.complaintProbability).toBeGreaterThanOrEqual(0.5);
  });

  it('explains with content words, not function words', () => {
    const d = classify('De bezorger heeft mijn pakket weer bij de verkeerde buren afgegeven.');
    expect(d.category).toBe('delivery');
    expect(d.why.length).toBeGreaterThan(0);
    expect(d.why.length).toBeLessThanOrEqual(8);
    expect(d.why.join(' ')).toMatch(/pakket|bezorg|buren/);
    expect(d.why.every((w) => w.length <= 60)).toBe(true);
  });
});

describe('priority rules', () => {
  it('safety is critical and says why', () => {
    const d = classify('Het snoer van de waterkoker werd heet en er kwam rook uit het apparaat.');
    expect(d.priority).toBe('critical');
    expect(d.priorityReasons).toContain('safety');
    expect(d.why).toContain('rule: safety');
  });

  it('a legal threat is high and a reputational risk', () => {
    const d = classify('If my refund is not paid this week I will take legal action and contact my lawyer.');
    expect(d.priority).toBe('high');
    expect(d.priorityReasons).toContain('legal-threat');
    expect(d.reputationalRisk).toBe(true);
  });

  it('a public complaint with a large reach is raised; the same text privately is not', () => {
    const text = 'My order never arrived and nobody answers the phone.';
    const pub = classify(text, { channel: 'social', reach: 150_000, isPublic: true });
    expect(pub.priority).toBe('critical');
    expect(pub.priorityReasons).toEqual(expect.arrayContaining(['viral-reach', 'public-reach']));
    expect(pub.reputationalRisk).toBe(true);
    const priv = classify(text, { channel: 'social', reach: 150_000, isPublic: false });
    expect(priv.priorityReasons).not.toContain('viral-reach');
  });

  it('uses the customer history when the event carries it', () => {
    const d = classify('De factuur klopt weer niet.', { recentComplaints: 4 });
    expect(d.priorityReasons).toContain('repeat-complainant');
    expect(d.priority).toBe('high');
  });

  it('are configuration: replaced rules are the ones that fire', () => {
    const custom = loadClassifier(readFileSync(defaultModelPath(), 'utf8'), {
      priorityRules: [{ id: 'vip-word', raises: 'critical', patterns: { any: ['\\bgoud(klant)?\\b'] } }],
    });
    const d = custom.classify({
      text: 'Ik ben goudklant en mijn pakket is niet bezorgd, mijn advocaat weet ervan.',
      channel: 'web',
    });
    expect(d.priorityReasons).toEqual(['vip-word']);
    expect(d.priority).toBe('critical');
    expect(() =>
      loadClassifier(readFileSync(defaultModelPath(), 'utf8'), {
        priorityRules: [{ id: 'x', raises: 'high', patterns: { any: ['('] } }],
      }),
    ).toThrow(/rule x: bad pattern/);
  });
});

describe('long emails', () => {
  const complaintSentences = [
    'I ordered a dishwasher on the first of the month and paid for next day delivery.',
    'The delivery was cancelled twice without anyone telling me, and I took two days off work for nothing.',
    'When it finally arrived the door was dented and the machine leaks water onto the kitchen floor.',
    'I have called your customer service four times and every agent tells me something different.',
    'Nobody called me back as promised and my emails get automated replies only.',
    'I want a replacement or my money back, this has been a terrible experience from start to finish.',
  ];
  const neutralSentences = [
    'I would like to know whether the dishwasher model DW-400 is available in white.',
    'Could you also tell me what the delivery options are for an address on the third floor?',
    'Is installation included in the price, and can the old machine be taken away at the same time?',
    'Thanks in advance for the information, I look forward to hearing from you.',
  ];
  const longText = (sentences: string[]) => {
    const parts: string[] = [];
    for (let i = 0; parts.join(' ').split(/\s+/).length < 2000; i++)
      parts.push(sentences[i % sentences.length]);
    return parts.join(' ');
  };

  it('stays correct at ~2,000 words (no underflow, no drift to one class)', () => {
    const complaint = classify(longText(complaintSentences), { channel: 'email' });
    const neutral = classify(longText(neutralSentences), { channel: 'email' });
    expect(complaint.complaint).not.toBe('none');
    expect(complaint.complaintProbability).toBeGreaterThan(0.9);
    expect(neutral.complaint).toBe('none');
    expect(neutral.complaintProbability).toBeLessThan(0.1);
    for (const d of [complaint, neutral]) {
      expect(Number.isFinite(d.complaintProbability)).toBe(true);
      expect(d.complaintProbability).toBeGreaterThanOrEqual(0);
      expect(d.complaintProbability).toBeLessThanOrEqual(1);
    }
  });
});

describe('replies with quoted threads', () => {
  const thread = (core: string, lang: 'nl' | 'en') => {
    const quoted = Array.from({ length: 120 }, (_, i) =>
      lang === 'nl'
        ? `> Bedankt voor uw bestelling ${i}. Uw pakket wordt morgen tussen 8 en 18 uur bezorgd. Retourneren kan binnen 30 dagen.`
        : `> Thank you for your order ${i}. Your parcel will be delivered tomorrow between 8 and 6. Returns are accepted within 30 days.`,
    );
    return [
      core,
      '',
      lang === 'nl' ? 'Met vriendelijke groet,\nAnna' : 'Kind regards,\nSam',
      '-- ',
      'Anna de Vries | Kerkstraat 12 | 06-12345678',
      lang === 'nl' ? 'Verzonden vanaf mijn iPhone' : 'Sent from my iPhone',
      '',
      lang === 'nl'
        ? 'Op ma 2 mrt 2026 om 10:12 schreef Klantenservice <service@winkel.example>:'
        : 'On Mon, 2 Mar 2026 at 10:12, Customer Service <service@shop.example> wrote:',
      ...quoted,
      'This email and any attachments are confidential and intended solely for the addressee.',
    ].join('\n');
  };

  it.each([
    ['Mijn pakket is nooit aangekomen en niemand neemt de telefoon op.', 'nl', true],
    ['Kunnen jullie mij laten weten of de bank ook in het blauw leverbaar is?', 'nl', false],
    ['My parcel never arrived and nobody answers the phone.', 'en', true],
    ['Could you let me know whether the sofa is also available in blue?', 'en', false],
  ] as const)('reads what the customer wrote now: %s', (core, lang, isComplaint) => {
    const alone = classify(core, { channel: 'email' });
    const reply = classify(thread(core, lang), { channel: 'email' });
    expect(reply.complaint !== 'none').toBe(isComplaint);
    expect(reply.complaintProbability).toBeCloseTo(alone.complaintProbability, 1);
    expect(reply.why.join(' ')).not.toMatch(/bestelling|order \d|retourneren|returns/);
  });

  it('keeps a bare forward whole', () => {
    const d = classify(
      '---------- Forwarded message ---------\nFrom: Piet\nDe levering is alweer niet gekomen.',
      { channel: 'email' },
    );
    expect(d.complaint).not.toBe('none');
  });
});

describe('robustness', () => {
  const valid = (c: Classifier, input: ClassifyInput) => {
    const d = c.classify(input);
    expect(['explicit', 'latent', 'none']).toContain(d.complaint);
    expect(['critical', 'high', 'normal']).toContain(d.priority);
    expect(d.complaintProbability).toBeGreaterThanOrEqual(0);
    expect(d.complaintProbability).toBeLessThanOrEqual(1);
    expect(d.category.length).toBeGreaterThan(0);
    expect(Number.isFinite(d.sentiment)).toBe(true);
    return d;
  };

  it('classifies a 1 MB text by looking at a bounded prefix', () => {
    const mb = 'Mijn pakket is niet bezorgd en niemand neemt de telefoon op. '.repeat(17_000);
    expect(mb.length).toBeGreaterThan(1_000_000);
    expect(valid(shipped, { text: mb, channel: 'email' }).complaint).not.toBe('none');
  });

  it('classifies an empty text, emoji only, whitespace and markup without content', () => {
    const empty = valid(shipped, { text: '', channel: 'web' });
    expect(empty).toMatchObject({
      language: 'und',
      complaint: 'none',
      complaintProbability: 0,
      why: ['none: no text'],
    });
    expect(valid(shipped, { text: '<br/><p>&nbsp;</p>', channel: 'email' }).complaint).toBe('none');
    valid(shipped, { text: '😡😡😡🙄', channel: 'social' });
    valid(shipped, { text: '   \n\t ', channel: 'web' });
    valid(shipped, { text: '<html><body><br/></body></html>', channel: 'email' });
  });

  it('reads text out of HTML remnants and entities', () => {
    const d = valid(shipped, {
      text: '<html><style>p{color:red}</style><body><p>Beste,</p><p>De factuur van &euro;&nbsp;120 klopt niet, er is twee keer afgeschreven.</p><div>Groet</div></body></html>',
      channel: 'email',
    });
    expect(d.language).toBe('nl');
    expect(d.category).toBe('price-billing');
    expect(d.why.join(' ')).not.toMatch(/html|style|nbsp/);
  });

  it('handles mixed languages and unusual characters', () => {
    valid(shipped, {
      text: 'Hallo! I ordered the jas maar hij is nog steeds niet geleverd 🤷‍♀️ ¿qué pasa? 你好',
      channel: 'social',
    });
    valid(shipped, { text: '\u0000\uFFFF\uD800 lone surrogate', channel: 'web' });
  });
});

describe('training, saving and loading', () => {
  const examples: TrainingExample[] = parseTrainingJsonl(
    [
      { text: 'mijn pakket is niet bezorgd', complaint: 'latent', category: 'delivery', priority: 'normal' },
      {
        text: 'het pakket is weer niet gekomen, al drie keer',
        complaint: 'latent',
        category: 'delivery',
        priority: 'high',
      },
      {
        text: 'ik wil een klacht indienen over de factuur',
        complaint: 'explicit',
        category: 'price-billing',
        priority: 'normal',
      },
      {
        text: 'dubbel afgeschreven op mijn rekening, klacht',
        complaint: 'explicit',
        category: 'price-billing',
      },
      { text: 'wat zijn de openingstijden', complaint: 'none' },
      { text: 'bedankt voor de snelle hulp', complaint: false },
      { text: 'my parcel never arrived', complaint: true },
      { text: 'how do I change my address?', complaint: 'none' },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n'),
  );

  it('round-trips a model through its file: same version, same decisions', () => {
    const file = serializeModel(trainModel(examples, { name: 'tiny' }));
    const a = loadClassifier(file);
    const b = loadClassifier(JSON.stringify(JSON.parse(file)));
    expect(a.modelVersion).toMatch(/^tiny-[0-9a-f]{12}$/);
    expect(b.modelVersion).toBe(a.modelVersion);
    for (const e of examples)
      expect(b.classify({ text: e.text, channel: 'web' })).toEqual(
        a.classify({ text: e.text, channel: 'web' }),
      );
    expect(Object.keys(a.model.heads).sort()).toEqual(['category', 'complaint', 'kind', 'priority']);
  });

  it('gives a changed model a new version', () => {
    const model = trainModel(examples, { name: 'tiny' });
    const changed = { ...model, learnedPriorityThreshold: 0.9 };
    expect(loadClassifier(serializeModel(changed)).modelVersion).not.toBe(
      loadClassifier(serializeModel(model)).modelVersion,
    );
  });

  it('refuses broken or foreign files with a clear error', () => {
    expect(() => loadClassifier('{not json')).toThrow(/not JSON/);
    expect(() => loadClassifier('{"format":"something-else"}')).toThrow(/not a klaxon-classifier model file/);
    const model = JSON.parse(serializeModel(trainModel(examples)));
    model.heads.complaint.bias = [0];
    expect(() => loadClassifier(JSON.stringify(model))).toThrow(/head complaint is malformed/);
    const renamed = JSON.parse(serializeModel(trainModel(examples)));
    renamed.heads.complaint.classes = ['a', 'b'];
    expect(() => loadClassifier(JSON.stringify(renamed))).toThrow(/classes "no" and "yes"/);
  });

  it('calibrates: Platt scaling recovers how margins map to outcomes', () => {
    const margins: number[] = [];
    const labels: number[] = [];
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 4000; i++) {
      const m = random() * 6 - 3;
      margins.push(m);
      labels.push(random() < 1 / (1 + Math.exp(-(0.5 * m - 0.4))) ? 1 : 0);
    }
    const { scale, shift } = plattScaling(margins, labels);
    expect(scale).toBeCloseTo(0.5, 1);
    expect(shift).toBeCloseTo(-0.4, 1);
    expect(shipped.model.heads.complaint?.calibration).toEqual({
      scale: expect.any(Number),
      shift: expect.any(Number),
    });
  });

  it('rejects bad training lines naming the line', () => {
    expect(() =>
      parseTrainingJsonl('{"text":"ok","complaint":true}\n{"text":"x","complaint":"maybe"}', 'f.jsonl'),
    ).toThrow(/f\.jsonl:2/);
    expect(() => parseTrainingJsonl('{"complaint":true}', 'f.jsonl')).toThrow(
      /f\.jsonl:1: "text" must be a string/,
    );
  });

  it('learns what the labels say even with labels missing on some lines', () => {
    const reports = crossValidate(examples, 2, { name: 'tiny' });
    expect(reports.map((r) => r.label)).toEqual(
      expect.arrayContaining(['complaint', 'complaint-kind', 'category', 'priority']),
    );
    const complaint = reports.find((r) => r.label === 'complaint')!;
    expect(complaint.n).toBe(8);
    expect(
      Object.values(complaint.confusion)
        .flatMap((row) => Object.values(row))
        .reduce((a, b) => a + b, 0),
    ).toBe(8);
  });
});
