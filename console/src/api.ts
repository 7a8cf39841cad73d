// One POST to the gateway's /graphql per call, with the session's bearer token.

/** A refusal or failure, with the gateway's stable `extensions.code` (or a local one). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function graphql<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('NETWORK', 'The gateway could not be reached.', 0);
  }
  let body: GraphQLBody<T>;
  try {
    body = (await response.json()) as GraphQLBody<T>;
  } catch {
    throw new ApiError('BAD_RESPONSE', `The gateway answered ${response.status} without a GraphQL body.`, response.status);
  }
  const [error] = body.errors ?? [];
  if (error) throw new ApiError(error.extensions?.code ?? 'UNKNOWN', error.message, response.status);
  if (!body.data) throw new ApiError('BAD_RESPONSE', 'The gateway answered without data.', response.status);
  return body.data;
}

/** What to tell the reader about a failed call. */
export function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong in the console.';
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return 'The gateway refused the token (expired, or not signed by a trusted issuer). Sign in again.';
    case 'FORBIDDEN':
      return 'Your role may not read this: audit data is for compliance officers only.';
    default:
      return `${error.message} (${error.code})`;
  }
}
