// Reference for `Mnemo.Bench floor`: the official TypeScript MCP SDK's documented stateless pattern
// (examples/server/simpleStatelessStreamableHttp in the SDK): a new McpServer and a
// StreamableHTTPServerTransport with sessionIdGenerator undefined for every POST, on the SDK's own Express app.
// One `echo` tool, no auth. Usage: node server.mjs PORT
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import * as z from 'zod/v4';

const port = Number.parseInt(process.argv[2] ?? '', 10);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node server.mjs PORT');
  process.exit(2);
}

const getServer = () => {
  const server = new McpServer({ name: 'echo-ts', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Returns the message unchanged.', inputSchema: { message: z.string() } },
    async ({ message }) => ({ content: [{ type: 'text', text: message }] }),
  );
  return server;
};

const app = createMcpExpressApp();
app.post('/mcp', async (req, res) => {
  const server = getServer();
  try {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
    res.on('close', () => {
      transport.close();
      server.close();
    });
  } catch (error) {
    console.error('Error handling MCP request:', error);
    if (!res.headersSent) {
      res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
    }
  }
});

const notAllowed = (_req, res) => {
  res.writeHead(405).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));
};
app.get('/mcp', notAllowed);
app.delete('/mcp', notAllowed);

app.listen(port, '127.0.0.1', (error) => {
  if (error) {
    console.error('Failed to start server:', error);
    process.exit(1);
  }
  // The bench waits for this line.
  console.log(`echo-ts listening on http://127.0.0.1:${port}/mcp`);
});
