import { sameRule, type PackDiff, type RuleChange } from './pack-diff.js';

const MARK = { added: '+', removed: '-', changed: '~' } as const;

type Rule = Record<string, unknown>;

/** A changed rule shows only the fields that changed (its clauses follow); an added or removed one shows whole. */
function ruleLines(c: RuleChange): string[] {
  if (c.change !== 'changed') return [`    ${c.change === 'added' ? 'rule' : 'was'}: ${JSON.stringify(c.before ?? c.after)}`];
  const [before, after] = [c.before as Rule, c.after as Rule];
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => k !== 'source' && !sameRule(before[k], after[k]));
  return fields.map((k) => `    ${k}: ${JSON.stringify(before[k]) ?? '(none)'} → ${JSON.stringify(after[k]) ?? '(none)'}`);
}

function clauseLines(c: RuleChange): string[] {
  const { before, after } = c.clauses;
  if (before.length && sameRule(before, after)) return before.map((clause) => `    clause: ${clause}`);
  return [...before.map((clause) => `    old clause: ${clause}`), ...after.map((clause) => `    new clause: ${clause}`)];
}

function changeLines(c: RuleChange): string[] {
  return [
    `${MARK[c.change]} ${c.kind} ${c.key} (${c.change})${c.loosens ? '  LOOSENS' : ''}`,
    ...ruleLines(c),
    ...clauseLines(c),
    ...c.loosening.map((why) => `    loosens: ${why}`),
  ];
}

/** The report `npm run policy:diff` prints by default: one block per change, then the purposes to re-consent. */
export function packDiffText(diff: PackDiff): string {
  const head = `policy diff ${diff.old.name} ${diff.old.version} → ${diff.next.name} ${diff.next.version}`;
  if (diff.changes.length === 0) return `${head}: no differences\n`;
  const loosening = diff.changes.filter((c) => c.loosens).length;
  const lines = [`${head}: ${diff.changes.length} rule change${diff.changes.length === 1 ? '' : 's'}, ${loosening} loosening protection`, ''];
  for (const c of diff.changes) lines.push(...changeLines(c));
  lines.push('');
  if (diff.reConsent.length === 0) lines.push('re-consent: none needed');
  else {
    lines.push(`re-consent needed for ${diff.reConsent.length} purpose${diff.reConsent.length === 1 ? '' : 's'}:`);
    for (const r of diff.reConsent) {
      lines.push(`  ${r.purpose} (version ${r.version})`);
      for (const why of r.reasons) lines.push(`    - ${why}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
