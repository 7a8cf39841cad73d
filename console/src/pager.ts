// Relay connections page forwards only (`first`/`after`): going back replays the cursor that led
// to the previous page, so the console keeps the cursor of every page it has shown.

export class Pager {
  /** cursors[i] is the `after` of page i (null: the first page). */
  private cursors: (string | null)[] = [null];
  private index = 0;
  private hasNext = false;

  get page(): number {
    return this.index + 1;
  }

  get after(): string | null {
    return this.cursors[this.index] ?? null;
  }

  get canGoBack(): boolean {
    return this.index > 0;
  }

  get canGoForward(): boolean {
    return this.hasNext;
  }

  /** Records what the page just shown says about the next one. */
  shown(pageInfo: { hasNextPage: boolean; endCursor: string | null }): void {
    this.hasNext = pageInfo.hasNextPage && pageInfo.endCursor !== null;
    this.cursors[this.index + 1] = pageInfo.endCursor;
  }

  next(): void {
    if (this.canGoForward) this.index += 1;
  }

  previous(): void {
    if (this.canGoBack) this.index -= 1;
  }

  reset(): void {
    this.cursors = [null];
    this.index = 0;
    this.hasNext = false;
  }
}
