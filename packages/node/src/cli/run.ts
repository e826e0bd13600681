// Entry point of the `ordo` command: the polyfill first, then the CLI.
import "@ordo/polyfills";
import { main } from "./main.js";

process.exitCode = await main();
