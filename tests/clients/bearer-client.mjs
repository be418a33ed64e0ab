// An official TypeScript SDK client with a fixed bearer credential (an API key or an OAuth access token) connects to
// Mnemo and calls tools, several times, recording which upstream answered each HTTP request when a load balancer in
// front names it in a response header (X-Upstream). Used by the scale tests (tests/Mnemo.Server.Tests/Scale) to run
// the v2 client (MCP 2026-07-28, no sessions) and the v1 client (initialize + Mcp-Session-Id) through a round-robin
// nginx. Prints one JSON line: {"ok":…, "protocolVersion":…, "era":…, "sessionId":…, "calls":…, "upstreams":[…],
// "statuses":[…], "error":…}; exit 0 only when every call succeeded.
// Usage: node bearer-client.mjs v1|v2 <mcp-url> <bearer> [rounds]
const [version, mcpUrl, bearer, roundsArg, negotiationArg] = process.argv.slice(2);
const negotiation = version === 'v1' ? 'legacy' : (negotiationArg ?? 'auto');
const rounds = Number(roundsArg ?? 3);
const sdk = version === 'v1'
  ? {
      Client: (await import('@modelcontextprotocol/sdk/client/index.js')).Client,
      Transport: (await import('@modelcontextprotocol/sdk/client/streamableHttp.js')).StreamableHTTPClientTransport,
    }
  : await (async () => {
      const v2 = await import('@modelcontextprotocol/client');
      return { Client: v2.Client, Transport: v2.StreamableHTTPClientTransport };
    })();

const upstreams = [];
const statuses = [];
/** fetch that notes the upstream and status of each answer (the SDK calls it for every request it sends). */
async function recordingFetch(input, init) {
  const response = await fetch(input, init);
  upstreams.push(response.headers.get('x-upstream') ?? '');
  statuses.push(response.status);
  return response;
}

const summary = { ok: false, version, protocolVersion: undefined, era: undefined, sessionId: undefined, calls: 0 };
const transport = new sdk.Transport(new URL(mcpUrl), {
  requestInit: { headers: { Authorization: `Bearer ${bearer}` } },
  fetch: recordingFetch,
});
const client = new sdk.Client({ name: `ts-sdk-${version}-bearer`, version: '1.0.0' }, negotiation === 'legacy' ? {} : { versionNegotiation: { mode: negotiation === 'auto' ? 'auto' : { pin: negotiation } } });
try {
  await client.connect(transport);
  summary.protocolVersion = client.getNegotiatedProtocolVersion?.() ?? transport.protocolVersion;
  summary.era = client.getProtocolEra?.();
  summary.sessionId = transport.sessionId;
  const tools = (await client.listTools()).tools.map(t => t.name);
  if (!tools.includes('add_memories') || !tools.includes('search_memory')) throw new Error(`tools: ${tools.join(', ')}`);
  summary.calls++;
  for (let round = 0; round < rounds; round++) {
    const fact = `Bearer client ${version} round ${round} wrote this at ${Date.now()} (zebracode${round}${version}).`;
    const added = await client.callTool({ name: 'add_memories', arguments: { memories: [fact] } });
    if (added.isError) throw new Error(`add_memories failed: ${JSON.stringify(added.content)}`);
    summary.calls++;
    const found = await client.callTool({ name: 'search_memory', arguments: { query: `zebracode${round}${version}` } });
    if (found.isError || !JSON.stringify(found.content).includes(fact)) {
      throw new Error(`search_memory did not find the fact: ${JSON.stringify(found.content)}`);
    }

    summary.calls++;
  }

  summary.ok = true;
} catch (e) {
  summary.error = String(e?.message ?? e);
} finally {
  try { await client.close(); } catch { /* closing a broken session may fail too */ }
}

console.log(JSON.stringify({ ...summary, upstreams, statuses }));
process.exit(summary.ok ? 0 : 1);
