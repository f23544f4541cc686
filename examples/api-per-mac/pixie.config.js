// `pixie` run from this directory asks the per-MAC API (start it first with
// `node server.js -files ./files`) what each machine boots.
import { defineConfig } from 'pixie-boot';

export default defineConfig({
  plugins: [['api', { url: 'http://127.0.0.1:4242' }]],
});
