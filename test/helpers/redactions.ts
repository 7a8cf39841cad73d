/** Reading `extensions.governance.redactions` of a response. */
export interface Redaction {
  path: (string | number)[];
  category: string;
  reason: string;
  strategy: string;
}

type WithExtensions = { extensions?: Record<string, unknown> };

export const redactionsOf = (res: WithExtensions): Redaction[] => ((res.extensions?.governance as { redactions?: Redaction[] } | undefined)?.redactions ?? []);

export const redactionAt = (res: WithExtensions, path: (string | number)[]): Redaction | undefined =>
  redactionsOf(res).find((r) => JSON.stringify(r.path) === JSON.stringify(path));
