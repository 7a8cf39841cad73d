/**
 * Runs one example block for real and renders what it answered the way the document shows it:
 * a request through the gateway's `yoga.fetch` with real signed tokens, shell commands with bash.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { parseArgs } from 'node:util';
import type { TestGateway } from '../helpers/gateway.js';
import { cleanEnv, REPO_ROOT } from '../helpers/spawn.js';
import type { ExampleBlock } from './doc-examples.js';
import type { ExampleContext } from './example-context.js';
import { showJson } from './example-output.js';

/** `$(npm run -s token -- --sub s --tenant t --roles a,b [--purposes p])`: a token with these claims. */
const TOKEN = /\$\(npm run -s token -- ([^)]*)\)/g;
/** `$(cat /tmp/file)`: the file's content, trimmed. */
const CAT = /\$\(cat (\/tmp\/[^)\s]+)\)/g;

async function substitute(text: string, context: ExampleContext, gateway: TestGateway): Promise<string> {
  let out = text;
  for (const [whole, args] of text.matchAll(TOKEN)) {
    const { values } = parseArgs({ args: args!.trim().split(/\s+/), options: { sub: { type: 'string' }, tenant: { type: 'string' }, roles: { type: 'string' }, purposes: { type: 'string' } } });
    if (!values.sub || !values.tenant) throw new Error(`${whole} needs --sub and --tenant`);
    const list = (v: string | undefined): string[] => (v ?? '').split(',').filter(Boolean);
    const purposes = list(values.purposes);
    out = out.replace(whole, await gateway.token(values.sub, values.tenant, list(values.roles), purposes.length ? purposes : undefined));
  }
  for (const [whole, file] of text.matchAll(CAT)) out = out.replace(whole, (await readFile(context.local(file!), 'utf8')).trim());
  return out;
}

/** The value at `data.a.b` of a JSON body. */
function valueAt(body: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), body);
}

/** Sends an `http` block: `METHOD /path`, header lines, a blank line, the body. */
export async function runRequest(block: ExampleBlock, context: ExampleContext): Promise<string> {
  const gateway = await context.gateway(block.attrs);
  const text = await substitute(block.content, context, gateway);
  const split = text.indexOf('\n\n');
  const head = split === -1 ? text.trimEnd() : text.slice(0, split);
  const body = split === -1 ? '' : text.slice(split + 2).trim();
  const [requestLine = '', ...headerLines] = head.split('\n');
  const [method = 'GET', path = '/'] = requestLine.split(' ');
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const response = await gateway.fetch(path, { method, headers, ...(body ? { body } : {}) });
  const raw = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(raw) as unknown) : undefined;
  if (block.attrs.save) {
    const colon = block.attrs.save.indexOf(':');
    const [source, file] = [block.attrs.save.slice(0, colon), block.attrs.save.slice(colon + 1)];
    const value = source === 'body' ? raw : valueAt(json, source);
    if (typeof value !== 'string') throw new Error(`save=${block.attrs.save}: the response has no string at ${source}`);
    await writeFile(await context.prepare(file), value);
  }
  const shown = json === undefined ? raw : showJson(json);
  return `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\n\n${shown}\n`;
}

/** Runs a `sh` block with bash (stderr into stdout, as a terminal shows them) and checks its exit code. */
export async function runShell(block: ExampleBlock, context: ExampleContext): Promise<string> {
  const script = context.local(block.content);
  const env = cleanEnv({ GOVGATE_STATE_DIR: `${context.tmp}/state`, NO_COLOR: '1', FORCE_COLOR: '0' });
  const child = spawn('bash', ['-c', `set -euo pipefail\n{\n${script}\n} 2>&1`], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const expected = Number(block.attrs.exit ?? 0);
  if (code !== expected) throw new Error(`exited ${code}, the document says ${expected}:\n${out}`);
  return out;
}

/** Writes a `file=` block where it says. */
export async function writeExampleFile(block: ExampleBlock, context: ExampleContext): Promise<void> {
  await writeFile(await context.prepare(block.attrs.file!), block.content);
}
