#!/usr/bin/env node
// The `pano` command. Pano is written in TypeScript and runs through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
