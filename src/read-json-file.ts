import { readFileSync } from 'node:fs';

/**
 * A JSON file named by a configuration variable, parsed once at start-up. A failure names the
 * variable and the path, never the content: the parser's message quotes it, and it may be a key.
 */
export function readJsonFile(variable: string, path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${variable}: ${path} is not valid JSON`);
  }
}
