/**
 * The compliance console in a real browser (Debian's chromium, headless, through playwright-core)
 * against `npm start`'s entry point listening on localhost, with development keys and demo data:
 * signing in, audit search and paging, chain verification (and a tampered event), an evidence
 * bundle whose signature is checked against the gateway's published keys, the data map, the
 * data-subject-request log and the decisions chart. Screenshots go to test-artifacts/console/.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print } from 'graphql';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import mongoose from 'mongoose';
import { v7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyEvidenceBundle } from '../../src/audit/verify-bundle.js';
import { DecisionStatsDocument, ExportMyDataDocument, MeDocument, UserDocument } from '../generated/graphql.js';
import { ARTIFACTS, launchChromium, type Browser, type TrackedPage } from '../helpers/browser.js';
import { testDatabaseName, testMongoUri } from '../helpers/database.js';
import { postGraphQL, startMain, type Spawned, type StartedGateway } from '../helpers/spawn.js';

const started: Spawned[] = [];
let browser: Browser | undefined;
let main: StartedGateway;
let db: mongoose.Connection;
const dbName = testDatabaseName(import.meta.url);
const open: TrackedPage[] = [];

afterAll(async () => {
  await browser?.close();
  started.forEach((s) => s.kill('SIGKILL'));
  if (db) {
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  }
});

/** Responses the scenarios provoke on purpose (a refused token) are logged by the browser as errors. */
const EXPECTED_ERROR = /Failed to load resource: the server responded with a status of 401/;

async function openConsole(): Promise<TrackedPage> {
  const tracked = await browser!.page(main.base);
  open.push(tracked);
  await tracked.page.goto(`${main.base}/console/`);
  return tracked;
}

async function signIn({ page }: TrackedPage, token: string): Promise<void> {
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-claim="subject"]').waitFor();
}

async function asOfficer(): Promise<TrackedPage> {
  const tracked = await openConsole();
  await signIn(tracked, main.token('carl', 'demo'));
  return tracked;
}

/** Every form control has a label the browser associates with it. */
async function expectLabelled({ page }: TrackedPage): Promise<void> {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')].filter((el) => !(el as HTMLInputElement).hidden && ((el as HTMLInputElement).labels?.length ?? 0) === 0).map((el) => el.outerHTML),
  );
  expect(unlabelled).toEqual([]);
}

/** No CSP violation or script error, nothing fetched from another origin; then a screenshot. */
async function finish(tracked: TrackedPage, name: string): Promise<void> {
  await tracked.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  expect(tracked.errors.filter((e) => !EXPECTED_ERROR.test(e))).toEqual([]);
  expect(tracked.foreign).toEqual([]);
  await tracked.page.close();
}

beforeAll(async () => {
  browser = await launchChromium();
  main = await startMain(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      MONGODB_URI: testMongoUri(),
      MONGODB_DB_NAME: dbName,
      SEED_DEMO: 'true',
      GOVGATE_STATE_DIR: await mkdtemp(join(tmpdir(), 'govgate-console-browser-')),
      RATE_LIMIT_PER_SECOND: '0',
      LOG_LEVEL: 'warn',
    },
    { started, tokens: true },
  );
  db = await mongoose.createConnection(testMongoUri(), { dbName }).asPromise();
  // Traffic to audit: alice reads her account 12 times and exports her data (a data-subject
  // request), support reads alice's profile (redacted fields).
  const alice = main.token('alice', 'demo');
  for (let i = 0; i < 12; i += 1) expect((await postGraphQL(main.url, { query: print(MeDocument) }, { token: alice })).status).toBe(200);
  expect((await postGraphQL(main.url, { query: print(ExportMyDataDocument), variables: { first: 5 } }, { token: alice })).errors).toBeUndefined();
  for (let i = 0; i < 2; i += 1) expect((await postGraphQL(main.url, { query: print(UserDocument), variables: { id: 'alice' } }, { token: main.token('sam', 'demo') })).status).toBe(200);
  // A request received 40 days ago and still pending: past its one-month deadline.
  const received = new Date(Date.now() - 40 * 86_400_000);
  await db.collection('dsr_requests').insertOne({
    _id: v7({ msecs: received.getTime() }) as never, tenant: 'demo', kind: 'ERASURE', subjectRef: 'sr_overdue-subject', subject: null, status: 'PENDING',
    receivedAt: received, dueAt: new Date(received.getTime() + 30 * 86_400_000), executeAt: null, completedAt: null, extensions: [], auditId: null, deleted: null, anonymised: null,
  });
}, 180_000);

describe('compliance console in Chromium', () => {
  it('signs in with a pasted token, shows who you are, keeps the token in sessionStorage only, and tells a user the audit views are not theirs', async () => {
    const tracked = await openConsole();
    const { page } = tracked;
    await expectLabelled(tracked);
    // Not a JWT: refused by the console. A JWT the gateway does not trust: refused by the gateway.
    await page.getByLabel('Bearer token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/not a token govgate reads/);
    const alice = main.token('alice', 'demo');
    const [header, payload] = alice.split('.');
    await page.getByLabel('Bearer token').fill(`${header}.${payload}.${'A'.repeat(86)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/refused the token/);
    await signIn(tracked, alice);
    expect(await page.locator('[data-claim="subject"]').textContent()).toBe('alice');
    expect(await page.locator('[data-claim="tenant"]').textContent()).toBe('demo');
    expect(await page.locator('[data-claim="roles"]').textContent()).toBe('user');
    expect(await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.getItem('govgate.console.token') }))).toEqual({ local: 0, session: alice });
    await page.getByRole('link', { name: 'Audit log' }).click();
    await expect.poll(() => page.locator('.refusal').textContent()).toMatch(/only the compliance_officer role may read/);
    expect(await page.locator('table').count()).toBe(0);
    await finish(tracked, '01-sign-in-user-refused');
  });

  it('offers the development demo-role picker, and picking carl signs in a compliance officer', async () => {
    const tracked = await openConsole();
    const { page } = tracked;
    await page.getByRole('heading', { name: 'Pick a demo role' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '02-demo-role-picker.png'), fullPage: true });
    await page.getByRole('button', { name: /carl@demo/ }).click();
    await page.locator('[data-claim="subject"]').waitFor();
    expect(await page.locator('[data-claim="roles"]').textContent()).toBe('compliance_officer');
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    expect(page.url()).toMatch(/#\/audit$/);
    await finish(tracked, '02-signed-in-as-carl');
  });

  it('searches the audit log with a filter and pages forwards and back by cursor, showing each event\'s decisions', async () => {
    const tracked = await asOfficer();
    const { page } = tracked;
    await expectLabelled(tracked);
    // Keyboard only: type the filter, choose the page size, submit with Enter.
    await page.getByLabel('Actor').focus();
    await page.keyboard.type('alice');
    await page.getByLabel('Page size').selectOption('10');
    await page.getByLabel('Operation name').focus();
    await page.keyboard.press('Enter');
    const status = page.getByRole('status').first();
    await expect.poll(() => status.textContent()).toMatch(/^Page 1: events 1–10, more after\.$/);
    const rows = page.getByRole('table', { name: 'Audit events, oldest first' }).locator(':scope > tbody > tr');
    expect(await rows.count()).toBe(10);
    const firstPage = await rows.allTextContents();
    for (const row of firstPage) expect(row).toMatch(/alice \(user\)/);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => status.textContent()).toMatch(/^Page 2: events 11–14\.$/);
    const secondPage = await rows.allTextContents();
    expect(secondPage).toHaveLength(4);
    expect(secondPage.some((r) => firstPage.includes(r))).toBe(false);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => status.textContent()).toMatch(/^Page 1:/);
    expect(await rows.allTextContents()).toEqual(firstPage);

    // Support's reads of alice: the decision filter, and the decisions of one event.
    await page.getByLabel('Actor').fill('sam');
    await page.getByLabel('Decision', { exact: true }).selectOption('REDACT');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => status.textContent()).toMatch(/^Page 1: events 1–2\.$/);
    const event = rows.first();
    await event.locator('summary').click();
    const decisions = event.locator('details table tbody tr');
    expect(await decisions.count()).toBeGreaterThan(1);
    expect(await decisions.allTextContents()).toContainEqual(expect.stringMatching(/^aliceUser\.emailuser\.contact\.email.*REDACTROLE$/));
    await page.screenshot({ path: join(ARTIFACTS, '03-audit-search.png'), fullPage: true });
    await finish(tracked, '03-audit-search-decisions');
  });

  it('downloads an evidence bundle whose signature verifies against the gateway\'s /.well-known/jwks.json', async () => {
    const tracked = await asOfficer();
    const { page } = tracked;
    await page.getByRole('link', { name: 'Evidence bundle' }).click();
    await expectLabelled(tracked);
    expect(await page.getByRole('link', { name: /Public audit keys/ }).getAttribute('href')).toBe('/.well-known/jwks.json');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download evidence bundle' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^govgate-evidence-demo-\d{4}-\d\d-\d\dT\d{4}-\d{4}-\d\d-\d\dT\d{4}\.jws$/);
    const file = join(ARTIFACTS, download.suggestedFilename());
    await download.saveAs(file);
    const jwks = (await (await fetch(`${main.base}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    const result = await verifyEvidenceBundle(await readFile(file, 'utf8'), createLocalJWKSet(jwks));
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.payload?.tenant).toBe('demo');
    expect(result.events).toBeGreaterThanOrEqual(16);
    // The same file with one character of its signature changed does not verify.
    const text = await readFile(file, 'utf8');
    const forged = `${text.slice(0, -2)}${text.at(-2) === 'A' ? 'B' : 'A'}${text.at(-1)}`;
    expect((await verifyEvidenceBundle(forged, createLocalJWKSet(jwks))).ok).toBe(false);
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/^Saved govgate-evidence-demo-/);
    await finish(tracked, '04-evidence-bundle');
  });

  it('shows the pack, the data map with a filter, and the record of processing', async () => {
    const tracked = await asOfficer();
    const { page } = tracked;
    await page.getByRole('link', { name: 'Data map' }).click();
    await page.getByRole('heading', { name: 'Policy pack in force' }).waitFor();
    expect(await page.locator('.facts').textContent()).toMatch(/deepailab \(version /);
    await page.getByLabel('Filter fields').fill('User.email');
    const map = page.getByRole('table', { name: 'Classified fields' });
    await expect.poll(() => map.locator('tbody tr').count()).toBe(1);
    expect(await map.locator('tbody tr').textContent()).toMatch(/^User\.emailuser\.contact\.email/);
    await page.getByRole('heading', { name: /Record of processing \(Art\. 30\(2\)\), tenant demo/ }).waitFor();
    expect(await page.getByRole('table', { name: 'Purposes' }).locator('tbody tr').count()).toBeGreaterThan(3);
    await expectLabelled(tracked);
    await finish(tracked, '05-data-map');
  });

  it('lists data-subject requests with their deadlines, the overdue one marked', async () => {
    const tracked = await asOfficer();
    const { page } = tracked;
    await page.getByRole('link', { name: 'Data-subject requests' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/^Page 1: 2 requests, 1 overdue\.$/);
    const overdue = page.locator('tr.row-overdue');
    expect(await overdue.count()).toBe(1);
    expect(await overdue.textContent()).toMatch(/^ERASUREsr_overdue-subjectPENDING.*Overdue by 10 days$/);
    const rows = await page.getByRole('table', { name: 'Data-subject requests, oldest first' }).locator(':scope > tbody > tr').allTextContents();
    expect(rows).toContainEqual(expect.stringMatching(/^EXPORTaliceCOMPLETED.*answered$/));
    await finish(tracked, '06-data-subject-requests');
  });

  it('draws decisions by reason over time as SVG bars, with the same numbers as decisionStats', async () => {
    const tracked = await asOfficer();
    const { page } = tracked;
    await page.getByRole('link', { name: 'Decisions chart' }).click();
    const chart = page.getByRole('img', { name: 'Decisions by reason over time' });
    await chart.waitFor();
    await expectLabelled(tracked);
    expect(await chart.locator('rect.bar').count()).toBeGreaterThan(0);
    const legend = await page.getByRole('list', { name: 'Series' }).locator('li').allTextContents();
    expect(legend.map((s) => s.trim())).toEqual(expect.arrayContaining(['ALLOW', 'REDACT · ROLE']));
    const shown = Number((await page.getByRole('status').first().textContent())!.match(/^(\d+) decisions/)![1]);
    const end = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
    const api = await postGraphQL<{ decisionStats: { count: number }[] }>(
      main.url,
      { query: print(DecisionStatsDocument), variables: { from: new Date(end - 86_400_000).toISOString(), to: new Date(end).toISOString(), bucket: 'HOUR' } },
      { token: main.token('carl', 'demo') },
    );
    expect(shown).toBe(api.data!.decisionStats.reduce((n, r) => n + r.count, 0));
    expect(shown).toBeGreaterThan(0);
    await finish(tracked, '07-decisions-chart');
  });

  it('verifies the chain (OK, with the signed head), then names the problem once an event is altered in the database', async () => {
    const tracked = await asOfficer();
    const { page } = tracked;
    await page.getByRole('link', { name: 'Chain verification' }).click();
    await page.getByRole('button', { name: 'Verify the audit log' }).click();
    const verdict = page.locator('.verdict');
    await expect.poll(() => verdict.textContent()).toMatch(/^OK: the audit log verifies\. \d+ events and \d+ signed tree heads checked/);
    expect(await page.getByLabel('Head (JWS)').inputValue()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    await page.screenshot({ path: join(ARTIFACTS, '08-verify-ok.png'), fullPage: true });

    // A database writer changes what one of alice's events says.
    const changed = await db.collection('audit_events').updateOne({ tenant: 'demo', operationName: 'Me' }, { $set: { operationName: 'Innocent' } });
    expect(changed.modifiedCount).toBe(1);
    await page.getByRole('button', { name: 'Verify the audit log' }).click();
    await expect.poll(() => verdict.textContent()).toMatch(/^Problems found: [1-9]\d*\./);
    expect(await page.locator('.problems h4').allTextContents()).toContainEqual(expect.stringMatching(/^EVENT_ALTERED \(\d+\)$/));
    await finish(tracked, '08-verify-tampered');
  });
});
