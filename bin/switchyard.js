#!/usr/bin/env node
// The `switchyard` command. The sources are TypeScript run by Node 24's type stripping: no build step.
import '../src/cli/main.ts';
