// Plays the person's browser for the conformance suite's authorization-server mode, which prints an authorize URL
// and waits for its callback: signs in, allows, and delivers the callback to the suite's listener.
// Usage: node conformance-authorization.mjs <suite-output-file> <user> <password>
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Browser } from './browser.mjs';

const [outputFile, userName, password] = process.argv.slice(2);
let authorizeUrl;
for (let i = 0; i < 600 && !authorizeUrl; i++) {
  let text = '';
  try { text = readFileSync(outputFile, 'utf8'); } catch { /* not written yet */ }
  authorizeUrl = text.match(/(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/)?.[1];
  if (!authorizeUrl) await sleep(200);
}

if (!authorizeUrl) {
  console.error('the suite printed no authorize URL');
  process.exit(1);
}

const callback = await new Browser().authorize(authorizeUrl, userName, password);
const delivered = await fetch(callback);
console.log(`delivered the callback to the suite: ${delivered.status}`);
