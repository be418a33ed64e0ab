// An official TypeScript SDK client connects to a running Mnemo the way an app would: discovery, dynamic client
// registration, PKCE, the resource parameter, sign-in and consent (driven by browser.mjs), token exchange, then
// tool calls. Usage: node oauth-client.mjs v1|v2 <mcp-url> <user> <password>
import { Browser, expect } from './browser.mjs';

const [version, mcpUrl, userName, password] = process.argv.slice(2);
const sdk = version === 'v1'
  ? {
      Client: (await import('@modelcontextprotocol/sdk/client/index.js')).Client,
      Transport: (await import('@modelcontextprotocol/sdk/client/streamableHttp.js')).StreamableHTTPClientTransport,
      UnauthorizedError: (await import('@modelcontextprotocol/sdk/client/auth.js')).UnauthorizedError,
    }
  : await (async () => {
      const v2 = await import('@modelcontextprotocol/client');
      return { Client: v2.Client, Transport: v2.StreamableHTTPClientTransport, UnauthorizedError: v2.UnauthorizedError };
    })();

const redirectUrl = 'http://127.0.0.1:33418/oauth/callback';
const browser = new Browser();

/** Everything the SDK asks an app to keep, kept in memory; the "redirect" is the scripted browser. */
class InMemoryProvider {
  information = undefined;
  savedTokens = undefined;
  verifier = undefined;
  callback = undefined;
  expectedState = `state-${Math.random().toString(36).slice(2)}`;
  get redirectUrl() { return redirectUrl; }
  get clientMetadata() {
    return {
      client_name: `TypeScript SDK ${version} (mnemo tests)`,
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  state() { return this.expectedState; }
  clientInformation() { return this.information; }
  saveClientInformation(information) { this.information = information; }
  tokens() { return this.savedTokens; }
  saveTokens(tokens) { this.savedTokens = tokens; }
  saveCodeVerifier(verifier) { this.verifier = verifier; }
  codeVerifier() { return this.verifier; }
  async redirectToAuthorization(url) {
    expect(url.searchParams.get('code_challenge_method') === 'S256', 'the SDK did not use PKCE S256');
    expect(url.searchParams.get('resource') !== null, 'the SDK sent no resource parameter');
    this.callback = await browser.authorize(url.href, userName, password);
  }
}

const provider = new InMemoryProvider();
const first = new sdk.Client({ name: `ts-sdk-${version}`, version: '1.0.0' });
try {
  await first.connect(new sdk.Transport(new URL(mcpUrl), { authProvider: provider }));
  throw new Error('connected without signing in');
} catch (e) {
  if (!(e instanceof sdk.UnauthorizedError)) throw e;
}

expect(provider.callback?.href.startsWith(redirectUrl), `no callback to the client: ${provider.callback}`);
expect(provider.callback.searchParams.get('state') === provider.expectedState, 'state did not round-trip');
const transport = new sdk.Transport(new URL(mcpUrl), { authProvider: provider });
if (version === 'v1') {
  await transport.finishAuth(provider.callback.searchParams.get('code'));
} else {
  await transport.finishAuth(provider.callback.searchParams);
}

const client = new sdk.Client({ name: `ts-sdk-${version}`, version: '1.0.0' });
await client.connect(transport);
const tools = (await client.listTools()).tools.map(t => t.name);
expect(tools.includes('add_memories') && tools.includes('search_memory'), `tools: ${tools.join(', ')}`);
const fact = `The TypeScript SDK ${version} client connected on ${new Date().toISOString()}.`;
const added = await client.callTool({ name: 'add_memories', arguments: { memories: [fact] } });
expect(!added.isError, `add_memories failed: ${JSON.stringify(added.content)}`);
const found = await client.callTool({ name: 'search_memory', arguments: { query: `TypeScript SDK ${version} client` } });
expect(!found.isError && JSON.stringify(found.content).includes(fact), `search_memory did not find the fact: ${JSON.stringify(found.content)}`);
await client.close();
console.log(`PASS ts-sdk-${version}: DCR, PKCE S256, resource, sign-in, consent, token, tools/list, add_memories, search_memory (protocol ${transport.protocolVersion ?? 'negotiated'})`);
