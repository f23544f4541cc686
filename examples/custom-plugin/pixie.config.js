// Run from this directory with `pixie` (no flags): the config file is found
// automatically. Paths in plugin options are relative to this file.
import { defineConfig } from 'pixie-boot';
import labRack from './lab-rack.js';

export default defineConfig({
  port: 8080,
  plugins: [[labRack, { machines: { '52:54:00:12:34:56': 'install', '52:54:00:ab:cd:ef': 'rescue' } }]],
});
