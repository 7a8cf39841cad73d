import type { PackDiff, RuleChange } from './pack-diff.js';

const MARK = { added: '+', removed: '-', changed: '~' } as const;

function changeLines(c: RuleChange): string[] {
  const lines = [`${MARK[c.change]} ${c.kind} ${c.key} (${c.change})${c.loosens ? '  LOOSENS' : ''}`];
  if (c.before !== null) lines.push(`    before: ${JSON.stringify(c.before)}`);
  if (c.after !== null) lines.push(`    after:  ${JSON.stringify(c.after)}`);
  for (const clause of c.clauses.before) lines.push(`    old clause: ${clause}`);
  for (const clause of c.clauses.after) lines.push(`    new clause: ${clause}`);
  for (const why of c.loosening) lines.push(`    loosens: ${why}`);
  return lines;
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
