// Certificate material for webhook mode (run through ./gen-certs); what it makes is described in
// runtime/webhook/webhook-cert-files.ts. Everything goes to generated/ (or --out DIR).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeWebhookCertFiles } from '../../runtime/webhook/webhook-cert-files.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(here, 'generated') },
    days: { type: 'string', default: '365' },
  },
});
const days = Number(values.days);
if (!(days > 0)) throw new Error(`--days must be a positive number (got ${values.days})`);
for (const path of await writeWebhookCertFiles(values.out as string, days * 24 * 3600)) console.log(`wrote ${path}`);
