/**
 * Writes klaxon-training.jsonl: the project's own labelled Dutch and English examples, composed from
 * the hand-written fragments in fragments-nl.ts / fragments-en.ts (situations per category, explicit
 * complaint openers, priority triggers, questions/praise/spam, and channel framing: tweets, emails,
 * web forms, phone notes). Deterministic: the same fragments give the same file.
 *
 *   node -r @swc-node/register libs/classification/domain/training/generate-training-data.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATEGORIES, type Category, type Fragments, type Trigger } from './fragments';
import { EN } from './fragments-en';
import { NL } from './fragments-nl';
import { HANDWRITTEN_EN, HANDWRITTEN_NL } from './handwritten';

interface Example {
  text: string;
  subject?: string;
  lang: string;
  channel: string;
  complaint: 'explicit' | 'latent' | 'none';
  category?: Category;
  priority?: 'critical' | 'high' | 'normal';
}

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  return {
    chance: (p: number) => next() < p,
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)],
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
  };
}

const TRIGGER_PRIORITY: Record<Trigger, 'critical' | 'high'> = {
  safety: 'critical',
  legal: 'high',
  press: 'high',
  cancellation: 'high',
  repeated: 'high',
  essential: 'high',
};

function generate(f: Fragments, complaints: number, nones: number, seed: number): Example[] {
  const r = rng(seed);
  const fill = (s: string) =>
    s
      .replace('{num}', String(r.int(100000, 9999999)))
      .replace('{date}', `${r.int(1, 28)}-${r.int(1, 12)}-2026`)
      .replace('{time}', `${r.int(8, 17)}:${String(r.int(0, 59)).padStart(2, '0')}`);
  const join = (parts: Array<string | false | undefined>, sep = ' ') =>
    parts
      .filter((p): p is string => !!p)
      .join(sep)
      .replace(/\s+([,.!?])/g, '$1')
      .trim();
  const out: Example[] = [];
  const repeatedFailures = [...Object.values(f.situations), ...Object.values(f.phone)]
    .flat()
    .filter((s) => s.startsWith('!'))
    .map((s) => s.slice(1));

  for (let i = 0; i < complaints; i++) {
    const category = CATEGORIES[i % CATEGORIES.length];
    const roll = r.int(1, 100);
    const channel = roll <= 30 ? 'social' : roll <= 60 ? 'email' : roll <= 85 ? 'web' : 'phone';
    const explicit = r.chance(0.35);
    let trigger: Trigger | undefined;
    if (r.chance(0.32)) {
      const safetyShare = category === 'product' ? 0.6 : category === 'delivery' ? 0.25 : 0;
      trigger = r.chance(safetyShare)
        ? 'safety'
        : r.pick<Trigger>(['legal', 'press', 'cancellation', 'repeated', 'repeated', 'essential']);
      if (trigger === 'essential' && (category === 'staff' || category === 'price-billing'))
        trigger = 'cancellation';
    }
    const situationOf = (list: string[]) => r.pick(list).replace(/^!/, '');
    const situation = situationOf(f.situations[category]);
    let second = situationOf(f.situations[category]);
    if (second === situation) second = '';
    const triggerText = trigger ? r.pick(f.triggers[trigger]) : undefined;
    const opener = explicit ? r.pick(f.explicitOpeners) : undefined;
    let text: string;
    let subject: string | undefined;
    if (channel === 'social') {
      text = join([
        r.chance(0.8) && r.pick(f.handles),
        opener,
        situation,
        r.chance(0.5) && r.pick(f.feelings),
        triggerText,
        r.chance(0.5) && r.pick(f.hashtags),
        r.chance(0.5) && r.pick(f.emoji),
      ]);
    } else if (channel === 'web') {
      text = join([
        opener,
        r.chance(0.25) && r.pick(f.neutralContext),
        situation,
        r.chance(0.4) && second,
        r.chance(0.5) && fill(r.pick(f.fillers)),
        triggerText,
        r.chance(0.6) && r.pick(f.demands),
        r.chance(0.3) && r.pick(f.polite),
      ]);
    } else if (channel === 'email') {
      subject = fill(r.pick(explicit && r.chance(0.5) ? f.subjects.explicit : f.subjects.complaint));
      const body = join([
        opener,
        r.chance(0.3) && r.pick(f.neutralContext),
        situation,
        r.chance(0.6) && fill(r.pick(f.fillers)),
        r.chance(0.5) && second,
        r.chance(0.5) && r.pick(f.feelings),
        triggerText,
        r.chance(0.7) && r.pick(f.demands),
        r.chance(0.4) && r.pick(f.polite),
      ]);
      text = join([r.pick(f.greetings), body, r.pick(f.closings), r.pick(f.names)], '\n\n');
    } else {
      const said = triggerText
        ? f.lang === 'nl'
          ? `Klant zegt: "${triggerText}"`
          : `Customer says: "${triggerText}"`
        : undefined;
      text = join([
        fill(r.pick(f.phonePrefix)) + situationOf(f.phone[category]),
        explicit && r.pick(f.phoneExplicit),
        said,
      ]);
    }
    // A fragment starting with ! reports a repeated failure: high priority whatever else it says.
    const repeated = repeatedFailures.some((m) => text.includes(m));
    out.push({
      text,
      ...(subject ? { subject } : {}),
      lang: f.lang,
      channel,
      complaint: explicit ? 'explicit' : 'latent',
      category,
      priority: trigger ? TRIGGER_PRIORITY[trigger] : repeated ? 'high' : 'normal',
    });
  }

  for (let i = 0; i < nones; i++) {
    const roll = r.int(1, 100);
    const channel = roll <= 30 ? 'social' : roll <= 60 ? 'email' : roll <= 85 ? 'web' : 'phone';
    const questions = [...f.none, ...f.moreNone];
    const first = r.pick(questions);
    let text: string;
    let subject: string | undefined;
    if (channel === 'social')
      text = join([r.chance(0.8) && r.pick(f.handles), first, r.chance(0.4) && r.pick(f.positiveEmoji)]);
    else if (channel === 'web')
      text = join([
        r.chance(0.4) && r.pick(f.neutralContext),
        first,
        r.chance(0.3) && fill(r.pick(f.fillers)),
        r.chance(0.4) && r.pick(f.polite),
      ]);
    else if (channel === 'email') {
      subject = fill(r.pick(f.subjects.none));
      const other = r.pick(questions);
      const body = join([
        r.chance(0.5) && r.pick(f.neutralContext),
        first,
        r.chance(0.4) && other !== first && other,
        r.chance(0.3) && fill(r.pick(f.fillers)),
        r.chance(0.6) && r.pick(f.polite),
      ]);
      text = join([r.pick(f.greetings), body, r.pick(f.closings), r.pick(f.names)], '\n\n');
    } else text = fill(r.pick(f.phonePrefix)) + r.pick(f.phoneNone);
    out.push({ text, ...(subject ? { subject } : {}), lang: f.lang, channel, complaint: 'none' });
  }
  return out;
}

export function trainingExamples(): Example[] {
  const seen = new Set<string>();
  const handwritten = (lang: string, rows: typeof HANDWRITTEN_NL): Example[] =>
    rows.map(([text, complaint, category, priority]) => ({
      text,
      lang,
      channel: 'web',
      complaint,
      ...(category ? { category: category as Category } : {}),
      ...(priority ? { priority } : {}),
    }));
  const all = [
    ...generate(NL, 560, 380, 20261125),
    ...handwritten('nl', HANDWRITTEN_NL),
    ...generate(EN, 560, 380, 11252026),
    ...handwritten('en', HANDWRITTEN_EN),
  ];
  return all.filter((e) => {
    const key = `${e.subject ?? ''}|${e.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

if (require.main === module) {
  const examples = trainingExamples();
  const file = join(__dirname, 'klaxon-training.jsonl');
  writeFileSync(file, examples.map((e) => JSON.stringify(e)).join('\n') + '\n');
  process.stdout.write(`${examples.length} examples → ${file}\n`);
}
