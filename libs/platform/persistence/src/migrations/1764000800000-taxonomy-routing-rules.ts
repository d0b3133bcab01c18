import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The shipped demo rules named the categories `billing` and `price`, which the classifier never says
 * (its category is `price-billing`): every billing complaint fell through to the default team. The seed
 * only writes rules into an empty database, so a database seeded before the fix keeps the dead rules.
 * This saves the rules in force once more, as a new version, with those two names replaced by
 * `price-billing`, and the same for members' category skills. Other names are left for an admin (the
 * router logs them at start). Frozen here rather than read from the contracts: a migration means what it
 * meant when it was written.
 */
const RENAMED: Record<string, string> = { billing: 'price-billing', price: 'price-billing' };
const BY = 'migration:TaxonomyRoutingRules1764000800000';

type Rule = { match?: { categories?: unknown } } & Record<string, unknown>;

function renamed(categories: unknown): unknown {
  if (!Array.isArray(categories)) return categories;
  return [...new Set(categories.map((c) => (typeof c === 'string' ? (RENAMED[c] ?? c) : c)))];
}

export class TaxonomyRoutingRules1764000800000 implements MigrationInterface {
  name = 'TaxonomyRoutingRules1764000800000';

  async up(q: QueryRunner): Promise<void> {
    const [current] = (await q.query(
      'SELECT version, rules, default_team_id FROM routing_rule_sets ORDER BY version DESC LIMIT 1',
    )) as Array<{ version: number; rules: Rule[]; default_team_id: string }>;
    if (current) {
      const rules = current.rules.map((r) =>
        r.match && 'categories' in r.match
          ? { ...r, match: { ...r.match, categories: renamed(r.match.categories) } }
          : r,
      );
      if (JSON.stringify(rules) !== JSON.stringify(current.rules))
        await q.query(
          `INSERT INTO routing_rule_sets (version, rules, default_team_id, created_by, note) VALUES ($1, $2, $3, $4, $5)`,
          [
            Number(current.version) + 1,
            JSON.stringify(rules),
            current.default_team_id,
            BY,
            'categories billing and price renamed to price-billing, the category the classifier says',
          ],
        );
    }
    const members = (await q.query(
      `SELECT id, skills FROM team_members WHERE skills->'categories' ?| array['billing', 'price']`,
    )) as Array<{ id: string; skills: { categories?: unknown } }>;
    for (const m of members)
      await q.query('UPDATE team_members SET skills = $2, updated_at = now() WHERE id = $1', [
        m.id,
        JSON.stringify({ ...m.skills, categories: renamed(m.skills.categories) }),
      ]);
  }

  /** Takes back the version this migration saved, if no later one was saved on top of it (skills stay renamed). */
  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM routing_rule_sets WHERE created_by = $1 AND version = (SELECT max(version) FROM routing_rule_sets)`,
      [BY],
    );
  }
}
