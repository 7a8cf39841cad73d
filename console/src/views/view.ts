import type { Session } from '../session.js';

/** What every section view is given. */
export interface ViewContext {
  readonly session: Session;
  /** The gateway refused the token: back to sign-in. */
  signOut(reason?: string): void;
}

export type View = (ctx: ViewContext) => HTMLElement;
