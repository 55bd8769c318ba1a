#!/usr/bin/env node
// The npm binary. It runs the TypeScript sources through tsx so that it works straight after
// `npm ci` with no build step; the container image runs the compiled dist/ instead (see Dockerfile).
import { register } from 'tsx/esm/api';

register();
await import('../runtime/cli.ts');
