// Runs a bench script (bench/floor.ts, through tsx or compiled) as its own node process, and reports its
// wall time, exit, stdout and peak RSS.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export type ScriptRun = { ms: number; code: number | null; stdout: string; stderr: string; peakRssMiB: number };

/** `script` is a path under bench/ (run through tsx) or an absolute path to compiled JavaScript. */
export function runScript(script: string, args: readonly string[], timeoutMs = 300_000): Promise<ScriptRun> {
  const compiled = isAbsolute(script) && script.endsWith('.js');
  const path = compiled ? script : fileURLToPath(new URL(`../${script}`, import.meta.url));
  const started = performance.now();
  const child = spawn(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
