/** Reference: a bare node:http server answering every request with one constant page. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { runClustered } from './cluster.js';

runClustered(() => {
  const page = readFileSync(String(process.env.REF_PAGE));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': page.length });
    res.end(page);
  });
  // Longer than Nginx's upstream keepalive, as in the stack.
  server.keepAliveTimeout = 72_000;
  server.listen(Number(process.env.REF_PORT), '127.0.0.1');
});
