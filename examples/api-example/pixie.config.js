// `pixie` run from this directory asks the example API (start it first with
// `node server.js`) what each machine boots. Same as `pixie api http://127.0.0.1:4242`.
import { defineConfig } from 'pixie-boot';

export default defineConfig({
  plugins: [['api', { url: 'http://127.0.0.1:4242', timeoutMs: 5000 }]],
});
