// An AI agent's side of the MCP conversation, written with the official MCP TypeScript SDK (a client
// nobody on this project wrote): Streamable HTTP to ptp-node's /mcp with the bearer token, the
// tools listed, the check, stage 1 executed, and the same call again (an agent's retry).
// Usage: node sdk_client.mjs URL TOKEN. Prints one JSON object per step (tests/interop/mcp_sdk_test.cpp
// checks them; the closing note quotes them as the transcript).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, token] = process.argv.slice(2);
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const client = new Client({ name: "ptp-interop-agent", version: "1.0.0" });
const step = (name, value) => console.log(JSON.stringify({ step: name, value }));

await client.connect(transport);
step("connected", { server: client.getServerVersion(), protocol: transport.protocolVersion ?? null });
step("tools", (await client.listTools()).tools.map((t) => t.name));
step("check", await client.callTool({ name: "check_partial_take_profit", arguments: { symbol: "ETH" } }));
const stage1 = { name: "execute_partial_take_profit", arguments: { symbol: "ETH", side: "long", stage: 1 } };
step("execute", await client.callTool(stage1));
step("retry", await client.callTool(stage1));
await client.close();
