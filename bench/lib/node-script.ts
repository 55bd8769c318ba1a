// Runs a bench TypeScript script (bench/floor.ts) as its own node process through tsx, and reports its
// wall time, exit, stdout and peak RSS.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export type ScriptRun = { ms: number; code: number | null; stdout: string; stderr: string; peakRssMiB: number };

export function runScript(script: string, args: readonly string[], timeoutMs = 300_000): Promise<ScriptRun> {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const sample = () => {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      // exited
    }
  };
  const timer = setInterval(sample, 100);
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      clearInterval(timer);
      clearTimeout(killer);
      process.off('exit', onExit);
      resolve({ ms, code, stdout, stderr, peakRssMiB: Math.round(peak) });
    });
  });
}
