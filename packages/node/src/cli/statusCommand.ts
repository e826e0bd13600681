import { HttpTransport, TransportError } from "@ordo/sdk";
import { type Command, Option } from "commander";
import { type CliIo, consoleIo } from "./queryCommand.js";

/** `ordo status`: GET /v1/status of each node, printed as JSON. No genesis needed. */
export function registerStatusCommand(program: Command, io: CliIo = consoleIo): void {
  program
    .command("status")
    .description("print the status of running validators (height, round, leader, peers, mempool)")
    .addOption(
      new Option("--node <url>", "validator HTTP URL, repeatable")
        .argParser((v: string, prev: string[]) => [...prev, v])
        .default([] as string[], "http://127.0.0.1:8080"),
    )
    .action(async (opts: { node: string[] }) => {
      const urls = opts.node.length > 0 ? opts.node : ["http://127.0.0.1:8080"];
      const transport = new HttpTransport({ requestTimeoutMs: 5_000 });
      for (const url of urls) {
        const res = await transport.get(url, "/v1/status");
        if (res.status !== 200)
          throw new TransportError("HTTP_ERROR", `${url}: /v1/status answered HTTP ${res.status}`, { url });
        io.out(JSON.stringify({ url, ...(res.body as object) }, null, 2));
      }
    });
}
