import {
  CLASSIFIED_CATEGORIES,
  COMPLAINT_CATEGORIES,
  PRIORITIES,
  isClassifiedCategory,
} from '@klaxon/contracts';
import type { ModelFile } from './model-file';

/**
 * Why a model does not speak the taxonomy of the contracts (empty when it does): its category classes
 * must be categories (a model may know fewer of them, never others; routing rules and SLA policies only
 * match those), its priority classes priorities, and the category it gives when it cannot tell must be one
 * too (`uncategorised`, normally). A model that fails this is refused when loaded, so a complaint is
 * never published with a category that no rule can match.
 */
export function taxonomyProblems(model: Pick<ModelFile, 'heads' | 'defaultCategory'>): string[] {
  const problems: string[] = [];
  const outside = (classes: readonly string[] | undefined, known: readonly string[]) =>
    (classes ?? []).filter((c) => !known.includes(c));
  const categories = outside(model.heads.category?.classes, COMPLAINT_CATEGORIES);
  if (categories.length)
    problems.push(
      `category classes ${JSON.stringify(categories)} are not categories of the taxonomy (${COMPLAINT_CATEGORIES.join(', ')})`,
    );
  const priorities = outside(model.heads.priority?.classes, PRIORITIES);
  if (priorities.length)
    problems.push(
      `priority classes ${JSON.stringify(priorities)} are not priorities of the taxonomy (${PRIORITIES.join(', ')})`,
    );
  if (!isClassifiedCategory(model.defaultCategory))
    problems.push(
      `defaultCategory ${JSON.stringify(model.defaultCategory)} is not in the taxonomy (${CLASSIFIED_CATEGORIES.join(', ')})`,
    );
  return problems;
}
