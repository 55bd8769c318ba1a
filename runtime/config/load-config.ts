// Reads and parses the configuration file named by -config: a regular file of at most 1 MiB of text
// (runtime/read-regular-file.ts), so a FIFO, a device or a binary file fails at once instead of hanging
// the process or feeding the HCL parser megabytes of NUL bytes.
import { maxConfigFileBytes, readRegularFile } from '../read-regular-file.js';
import { ConfigError, configErrorLines } from './config-error.js';
import { parseConfig, type ParsedConfig } from './parse-config.js';

export async function loadConfig(path: string): Promise<ParsedConfig> {
  let text: string;
  try {
    const bytes = await readRegularFile(path, maxConfigFileBytes);
    if (bytes.includes(0)) throw new Error(`${path} contains NUL bytes; a configuration file is text`);
    text = bytes.toString('utf8');
  } catch (err) {
    // The original's wording (config.go LoadMode).
    throw new ConfigError([`unable to load configuration: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return parseConfig(text, path);
}

/**
 * loadConfig for a command: an unusable configuration is reported on `stderr` (every warning, then every
 * problem) and comes back as undefined, so `run`, `validate` and `plan` print it the same way.
 */
export async function loadConfigForCommand(path: string, stderr: { write(s: string): unknown }): Promise<ParsedConfig | undefined> {
  try {
    return await loadConfig(path);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of configErrorLines(err)) stderr.write(line);
    return undefined;
  }
}
