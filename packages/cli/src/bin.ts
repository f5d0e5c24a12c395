#!/usr/bin/env node
import { run } from './program.js';

// Exit explicitly once the output is written: a plugin's timer or socket must not keep the command alive.
const code = await run(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));
