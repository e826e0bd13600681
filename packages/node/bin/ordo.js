#!/usr/bin/env node
// Installed entry point: runs the built CLI. Inside the monorepo, `npm run ordo -- ...` runs the sources.
import "../dist/cli/run.js";
