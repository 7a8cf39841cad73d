/**
 * Correctness before timing: what each variant must answer, derived from the data set. A variant
 * that answers anything else stops the run before a single number is taken.
 *
 * Kinds: 'plain' (A: no authorization but the consent rule in its content resolvers), 'peer'
 * (B, C: static role / owner rules and the consent rule, denied → null or []), 'govgate' (D:
 * per-value decisions; under essential.service the restricted and erasure-pending subjects are
 * redacted: id hashed, name truncated, email masked, country null, conversations dropped, each
 * listed in extensions.governance.redactions; under train_ai_system see checkTrainingList).
 */
import { ID_PATTERN } from '../../src/db/ids.js';
import {
  conversationCountOf,
  conversationTitleOf,
  countryOf,
  displayNameOf,
  emailOf,
  hasTrainingConsent,
  isOptedOut,
  isRedactedForService,
  messageContentOf,
  MESSAGES_PER_CONVERSATION,
  subjectOf,
  trainingOutcomeOf,
  type LoadedDataset,
} from './dataset.js';

export type VariantKind = 'plain' | 'peer' | 'govgate';

export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { governance?: { auditId?: unknown; redactions?: { path: (string | number)[]; reason: string; strategy: string }[] } };
}

interface ListNode {
  id: string;
  displayName: string | null;
  email: string | null;
  country: string | null;
  conversations: { id: string; title: string | null }[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function nodesOf(data: Record<string, unknown>): ListNode[] | null {
  const nodes: ListNode[] = [];
  // One `users` field, or aliased pages p0, p1, … in order.
  const keys = 'users' in data ? ['users'] : Object.keys(data).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  for (const key of keys) {
    const page = data[key];
    if (!isObject(page) || !Array.isArray(page.edges)) return null;
    for (const edge of page.edges as unknown[]) {
      if (!isObject(edge) || !isObject(edge.node)) return null;
      nodes.push(edge.node as unknown as ListNode);
    }
  }
  return nodes;
}

const common = (json: GraphQLResponse, kind: VariantKind): string[] => {
  const problems: string[] = [];
  if (json.errors?.length) problems.push(`errors: ${json.errors.map((e) => e.message).join('; ')}`);
  if (!isObject(json.data)) problems.push('no data');
  if (kind !== 'govgate' && json.extensions?.governance) problems.push('unexpected extensions.governance');
  return problems;
};

/** A pseudonymised identifier (strategy `hash`). */
const PSEUDONYM = /^h_[A-Za-z0-9_-]{10,}$/;

const masked = (value: string | null, original: string): boolean => typeof value === 'string' && value !== original && value.includes('*');

/**
 * A list of `size` users from the first, as the role sees them.
 * role 'service': everything (govgate redacts restricted / erasure-pending subjects);
 * role 'support': identity only (govgate: email masked, country null, conversations dropped;
 * peers: email and country null, conversations []; plain: everything).
 */
export function checkList(json: GraphQLResponse, kind: VariantKind, size: number, role: 'service' | 'support', dataset: LoadedDataset): string[] {
  const problems = common(json, kind);
  if (problems.length) return problems;
  const nodes = nodesOf(json.data as Record<string, unknown>);
  if (!nodes) return ['response is not a users connection'];
  if (nodes.length !== size) return [`expected ${size} nodes, got ${nodes.length}`];
  let expectedRedactions = 0;
  nodes.forEach((node, i) => {
    const say = (what: string): void => {
      if (problems.length < 10) problems.push(`node ${i} (${subjectOf(i)}): ${what}`);
    };
    const redactedSubject = kind === 'govgate' && isRedactedForService(i);
    const full = kind === 'plain' || role === 'service';
    // Identity (id, displayName).
    if (redactedSubject) {
      if (!PSEUDONYM.test(node.id)) say(`id not pseudonymised: ${node.id}`);
      if (node.displayName !== `${displayNameOf(i).slice(0, 1)}…`) say(`displayName not truncated: ${String(node.displayName)}`);
      expectedRedactions += 2;
    } else {
      if (node.id !== subjectOf(i)) say(`id ${node.id}`);
      if (node.displayName !== displayNameOf(i)) say(`displayName ${String(node.displayName)}`);
    }
    // Contact, location, content.
    const ownWay = full && !redactedSubject;
    if (ownWay) {
      if (node.email !== emailOf(i)) say(`email ${String(node.email)}`);
      if (node.country !== countryOf(i)) say(`country ${String(node.country)}`);
      const titles = node.conversations.map((c) => c.title);
      const expected = Array.from({ length: conversationCountOf(i) }, (_, c) => conversationTitleOf(i, c));
      if (JSON.stringify(titles) !== JSON.stringify(expected)) say(`conversations ${JSON.stringify(titles)}`);
      const ids = node.conversations.map((c) => c.id);
      if (JSON.stringify(ids) !== JSON.stringify(dataset.conversationIdsOf(i))) say('conversation ids differ from the loaded ones');
    } else {
      if (kind === 'govgate') {
        if (!masked(node.email, emailOf(i))) say(`email not masked: ${String(node.email)}`);
        expectedRedactions += 3;
      } else if (node.email !== null) say(`email not withheld: ${String(node.email)}`);
      if (node.country !== null) say(`country not withheld: ${String(node.country)}`);
      if (node.conversations.length !== 0) say(`conversations not withheld (${node.conversations.length})`);
    }
  });
  if (kind === 'govgate') {
    const governance = json.extensions?.governance;
    if (typeof governance?.auditId !== 'string' || governance.auditId === '') problems.push('no extensions.governance.auditId');
    const redactions = governance?.redactions ?? [];
    if (redactions.length !== expectedRedactions) problems.push(`expected ${expectedRedactions} redactions, got ${redactions.length}`);
  }
  return problems;
}

/**
 * q4: the first 100 subjects as an ml_engineer sees them under train_ai_system.
 * A, B, C (the consent rule only): every id; the conversations (ids, titles) of subjects whose
 * latest train_ai_system consent is a grant under the current terms, [] for the others.
 * D: per subject, trainingOutcomeOf: not ALLOW → id pseudonymised and conversations dropped;
 * ALLOW → id and conversations, but the titles of opted-out conversations truncated to '…'. The
 * redaction list must be exactly those paths. Their reasons are the subject's state, which an
 * ml_engineer may not read (no grant of user.privacy_preferences, date of birth or account), so
 * each shows as WITHHELD; the precise reasons are checked in the audit event (checkTrainingDecisions).
 */
export function checkTrainingList(json: GraphQLResponse, kind: VariantKind, dataset: LoadedDataset): string[] {
  const problems = common(json, kind);
  if (problems.length) return problems;
  const nodes = nodesOf(json.data as Record<string, unknown>) as unknown as { id: string; conversations: { id: string; title: string | null }[] }[] | null;
  if (!nodes) return ['response is not a users connection'];
  if (nodes.length !== 100) return [`expected 100 nodes, got ${nodes.length}`];
  const expected = new Map<string, string>();
  nodes.forEach((node, i) => {
    const say = (what: string): void => {
      if (problems.length < 10) problems.push(`node ${i} (${subjectOf(i)}): ${what}`);
    };
    const at = (...rest: (string | number)[]): string => ['users', 'edges', i, 'node', ...rest].join('.');
    const titles = Array.from({ length: conversationCountOf(i) }, (_, c) => conversationTitleOf(i, c));
    const outcome = kind === 'govgate' ? trainingOutcomeOf(i) : hasTrainingConsent(i) ? 'ALLOW' : 'CONSENT';
    if (kind === 'govgate' && outcome !== 'ALLOW') {
      if (!PSEUDONYM.test(node.id)) say(`id not pseudonymised (${outcome}): ${node.id}`);
      expected.set(at('id'), 'WITHHELD');
      expected.set(at('conversations'), 'WITHHELD');
    } else if (node.id !== subjectOf(i)) say(`id ${node.id}`);
    if (outcome !== 'ALLOW') {
      if (node.conversations.length !== 0) say(`conversations not withheld (${outcome}, ${node.conversations.length})`);
      return;
    }
    if (JSON.stringify(node.conversations.map((c) => c.id)) !== JSON.stringify(dataset.conversationIdsOf(i))) say('conversation ids differ from the loaded ones');
    const optedOut = kind === 'govgate' && isOptedOut(i);
    const want = optedOut ? titles.map(() => '…') : titles;
    if (JSON.stringify(node.conversations.map((c) => c.title)) !== JSON.stringify(want)) say(`titles ${JSON.stringify(node.conversations.map((c) => c.title))}`);
    if (optedOut) titles.forEach((_, c) => expected.set(at('conversations', c, 'title'), 'WITHHELD'));
  });
  if (kind === 'govgate') {
    const governance = json.extensions?.governance;
    if (typeof governance?.auditId !== 'string' || governance.auditId === '') problems.push('no extensions.governance.auditId');
    const listed = new Map((governance?.redactions ?? []).map((r) => [r.path.join('.'), r.reason]));
    const wrong = [...new Set([...expected.keys(), ...listed.keys()])].filter((path) => expected.get(path) !== listed.get(path));
    if (wrong.length) problems.push(`redactions differ at ${wrong.length} path(s), e.g. ${wrong.slice(0, 3).map((p) => `${p}: ${String(listed.get(p))} ≠ ${String(expected.get(p))}`).join(', ')}`);
  }
  return problems;
}

/** The decisions of an audit event, as stored. */
export interface RecordedDecision {
  readonly coordinate: string;
  readonly decision: string;
  readonly reason: string | null;
  readonly subjects: readonly (string | null)[];
}

/**
 * q4's audit event (D): per coordinate, the precise reason each of the first 100 subjects was
 * decided with: User.id and User.conversations by trainingOutcomeOf (ALLOW recorded without a
 * reason), Conversation.title OPTED_OUT for the allowed subjects who had opted out.
 */
export function checkTrainingDecisions(decisions: readonly RecordedDecision[]): string[] {
  const first100 = Array.from({ length: 100 }, (_, i) => i);
  const problems: string[] = [];
  const expect = (coordinate: string, reason: string | null, subjects: readonly number[]): void => {
    const got = [...new Set(decisions.filter((d) => d.coordinate === coordinate && d.reason === reason).flatMap((d) => d.subjects))].sort();
    const want = subjects.map(subjectOf).sort();
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${coordinate} ${reason ?? 'ALLOW'}: recorded for ${got.length} subjects, expected ${want.length}`);
  };
  for (const coordinate of ['User.id', 'User.conversations']) {
    for (const reason of ['ERASED', 'RESTRICTED', 'CONSENT', 'MINOR'] as const) expect(coordinate, reason, first100.filter((i) => trainingOutcomeOf(i) === reason));
    expect(coordinate, null, first100.filter((i) => trainingOutcomeOf(i) === 'ALLOW'));
  }
  expect('Conversation.title', 'OPTED_OUT', first100.filter((i) => trainingOutcomeOf(i) === 'ALLOW' && isOptedOut(i)));
  return problems;
}

/** q2: the caller's own account, unredacted everywhere (the subject's own data is theirs). */
export function checkMe(json: GraphQLResponse, kind: VariantKind, i: number): string[] {
  const problems = common(json, kind);
  if (problems.length) return problems;
  const me = (json.data as Record<string, unknown>).me as
    | { id: string; displayName: string; email: string; conversations: { title: string; messages: { content: string }[] }[] }
    | null;
  if (!me) return ['me is null'];
  if (me.id !== subjectOf(i) || me.displayName !== displayNameOf(i) || me.email !== emailOf(i)) problems.push(`profile ${JSON.stringify([me.id, me.displayName, me.email])}`);
  const expected = Array.from({ length: conversationCountOf(i) }, (_, c) => ({
    title: conversationTitleOf(i, c),
    messages: Array.from({ length: MESSAGES_PER_CONVERSATION }, (_m, m) => ({ content: messageContentOf(i, c, m) })),
  }));
  if (JSON.stringify(me.conversations) !== JSON.stringify(expected)) problems.push('conversations / messages differ from the loaded ones');
  if (kind === 'govgate' && (json.extensions?.governance?.redactions?.length ?? 0) !== 0) problems.push('own data was redacted');
  return problems;
}

/** q3: the new message comes back as written. */
export function checkAddMessage(json: GraphQLResponse, kind: VariantKind, content: string): string[] {
  const problems = common(json, kind);
  if (problems.length) return problems;
  const message = (json.data as Record<string, unknown>).addMessage as { id: string; role: string; content: string } | null;
  if (!message) return ['addMessage is null'];
  if (!ID_PATTERN.test(message.id)) problems.push(`id ${message.id}`);
  if (message.role !== 'USER') problems.push(`role ${message.role}`);
  if (message.content !== content) problems.push(`content ${message.content}`);
  return problems;
}

/** Synthetic records: plain returns every value; governed redacts (at least) every marketing-only field. */
export function checkSynthetic(json: GraphQLResponse, governed: boolean, fields: number, rows: number): string[] {
  const problems = common(json, governed ? 'govgate' : 'plain');
  if (problems.length) return problems;
  const records = (json.data as Record<string, unknown>).records as Record<string, string | null>[];
  if (!Array.isArray(records) || records.length !== rows) return [`expected ${rows} records`];
  const raw = (i: number, k: number): string => (k % 4 === 1 ? `r${i}.f${k}@bench.example.com` : `value ${k} of record ${i}`);
  records.forEach((record, i) => {
    for (let k = 0; k < fields; k += 1) {
      const value = record[`f${k}`];
      const redacted = value !== raw(i, k);
      if (!governed && redacted) problems.push(`record ${i} f${k} = ${String(value)}`);
      if (governed && k % 10 === 9 && !redacted) problems.push(`record ${i} f${k} (marketing only) not redacted`);
    }
  });
  if (governed && !(json.extensions?.governance?.redactions?.length)) problems.push('no redactions listed');
  return problems.slice(0, 10);
}
