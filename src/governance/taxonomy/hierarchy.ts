/**
 * fideslang-style dotted keys: `a.b` is a child of `a`. A rule on a parent covers its children,
 * never the other way round.
 */
export const covers = (rule: string, key: string): boolean => key === rule || key.startsWith(`${rule}.`);

/** True when any rule covers the key. */
export const anyCovers = (rules: readonly string[], key: string): boolean => rules.some((rule) => covers(rule, key));

/** Every ancestor of a key, nearest first, the key itself included. */
export function lineage(key: string): string[] {
  const parts = key.split('.');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('.'));
}
