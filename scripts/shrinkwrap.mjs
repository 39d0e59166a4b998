#!/usr/bin/env node
// `npm pack` hook: ship the lockfile's exact versions with the package (npm-shrinkwrap.json,
// which npm honours when installing a package, unlike package-lock.json), so that
// `npm install -g vfio-review-*.tgz` installs the dependency versions the tests ran against.
// Usage: node scripts/shrinkwrap.mjs (prepack: write it) | --remove (postpack: delete it)
import { copyFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'npm-shrinkwrap.json');
if (process.argv.includes('--remove')) rmSync(target, { force: true });
else copyFileSync(join(root, 'package-lock.json'), target);
