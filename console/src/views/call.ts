import { ApiError, explain, graphql } from '../api.js';
import type { ViewContext } from './view.js';

/**
 * One GraphQL call from a view: the status line says it is running and then what went wrong, if
 * anything; a refused token signs the reader out. Resolves with the data, or null after a failure.
 */
export async function call<T>(ctx: ViewContext, status: HTMLElement, query: string, variables: Record<string, unknown> = {}): Promise<T | null> {
  status.textContent = 'Loading\u2026';
  status.classList.remove('error');
  try {
    const data = await graphql<T>(ctx.session.token, query, variables);
    status.textContent = '';
    return data;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') ctx.signOut(explain(error));
    status.textContent = explain(error);
    status.classList.add('error');
    return null;
  }
}
