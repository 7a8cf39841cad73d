/** The operations the bench sends, and who sends them. */

/** The profile fields of q1 and of the list-size scaling. */
const LIST_NODE = 'id displayName email country conversations { id title }';

/** q1: a 100-user page with profile fields and conversations. */
export const Q1 = `{ users(first: 100) { edges { node { ${LIST_NODE} } } } }`;
/** q2: the caller's own account with conversations and messages. */
export const Q2 = '{ me { id displayName email conversations { title messages { content } } } }';
/** q3: the owner adds a turn to their conversation. */
export const Q3 =
  'mutation AddMessage($conversationId: ID!, $content: String!) { addMessage(conversationId: $conversationId, role: USER, content: $content) { id role content } }';
export const Q3_CONTENT = 'Benchmark turn: what did we decide about the quarterly notes?';

/**
 * q4: a 100-subject list for model training, as an `ml_engineer` declaring train_ai_system (which
 * needs every subject's consent): identifiers and conversation titles only, the categories that
 * role is granted for it.
 */
export const Q4 = '{ users(first: 100) { edges { node { id conversations { id title } } } } }';

/**
 * A list of `size` users in one request. govgate (and the peers, which share its pagination)
 * caps `first` at 100, so 1000 users are 10 aliased pages, each after the previous page's cursor.
 */
export function listQuery(size: number, cursors: readonly string[]): string {
  if (size <= 100) return `{ users(first: ${size}) { edges { node { ${LIST_NODE} } } } }`;
  const pages = Math.ceil(size / 100);
  if (cursors.length < pages - 1) throw new Error(`listQuery(${size}) needs ${pages - 1} cursors`);
  const parts = Array.from({ length: pages }, (_, p) => {
    const after = p === 0 ? '' : `, after: ${JSON.stringify(cursors[p - 1])}`;
    return `p${p}: users(first: 100${after}) { edges { node { ${LIST_NODE} } } }`;
  });
  return `{ ${parts.join(' ')} }`;
}

/** Synthetic schema: all N fields, or the first ten, of `rows` records. */
export function syntheticQuery(fields: number, rows: number): string {
  return `{ records(first: ${rows}) { id ${Array.from({ length: fields }, (_, k) => `f${k}`).join(' ')} } }`;
}

export interface GraphQLBody {
  query: string;
  variables?: Record<string, unknown>;
}
