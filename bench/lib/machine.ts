/** What the numbers were measured on. */
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem, type as osType } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  java: string | null;
  date: string;
}

export function machineInfo(withJava: boolean): MachineInfo {
  let java: string | null = null;
  if (withJava) {
    try {
      // `java -version` writes to stderr.
      const out = execFileSync('java', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      java = out.split('\n')[0] ?? null;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr;
      java = typeof stderr === 'string' ? (stderr.split('\n')[0] ?? null) : null;
    }
    if (java === null || java === '') {
      try {
        const result = execFileSync('sh', ['-c', 'java -version 2>&1'], { encoding: 'utf8' });
        java = result.split('\n')[0] ?? null;
      } catch {
        java = null;
      }
    }
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: totalmem() / 2 ** 30,
    os: `${osType()} ${release()}`,
    node: process.version,
    java,
    date: new Date().toISOString(),
  };
}
