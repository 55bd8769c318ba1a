// Reads and parses the configuration file named by -config.
import { readFile } from 'node:fs/promises';
import { ConfigError } from './config-error.js';
import { parseConfig, type ParsedConfig } from './parse-config.js';

export async function loadConfig(path: string): Promise<ParsedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    // The original's wording (config.go LoadMode).
    throw new ConfigError([`unable to load configuration: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return parseConfig(text, path);
}
