/**
 * Headless Chromium for the console's browser tests: Debian's chromium driven by playwright-core,
 * never a downloaded browser, in a fresh profile with everything that would phone home switched off.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './spawn.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots and downloads a run leaves behind (gitignored). */
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'console');

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  readonly context: BrowserContext;
  /** A new tab that records console errors, CSP violations and requests to any other origin than `origin`. */
  page(origin: string): Promise<TrackedPage>;
  close(): Promise<void>;
}

export interface TrackedPage {
  readonly page: Page;
  /** Console errors and page errors (a CSP violation is one). */
  readonly errors: string[];
  /** Requests to an origin other than the gateway's. */
  readonly foreign: string[];
}

export async function launchChromium(): Promise<Browser> {
  // Fail, never skip: a missing browser must not pass as a green run.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The compliance console's browser tests need Debian's chromium at ${CHROMIUM}; install it with \`apt-get install -y chromium\` (.ci/run does). No browser is ever downloaded.`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), 'govgate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    timezoneId: 'Europe/Paris',
  });
  return {
    context,
    async page(origin) {
      const page = await context.newPage();
      const errors: string[] = [];
      const foreign: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('request', (request) => {
        const url = request.url();
        if (!url.startsWith(`${origin}/`) && !url.startsWith('blob:') && !url.startsWith('data:')) foreign.push(url);
      });
      return { page, errors, foreign };
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
