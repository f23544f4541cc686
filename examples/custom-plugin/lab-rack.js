// A complete custom plugin: boots the machines listed in `machines` (MAC →
// profile), ignores everything else, and logs each boot it sees.
//
//   pixie --plugin ./examples/custom-plugin/lab-rack.js
//   (or list it in pixie.config.js, see the file next to this one)
import { definePlugin, z } from 'pixie-boot';

export default definePlugin({
  name: 'lab-rack',
  description: 'boots a fixed list of machines with per-machine profiles',
  options: z.object({
    kernel: z.string().default('./vmlinuz'),
    initrd: z.array(z.string()).default(['./initrd.gz']),
    machines: z.record(z.string(), z.enum(['install', 'rescue'])).default({ '52:54:00:12:34:56': 'install' }),
  }),
  setup(ctx) {
    const { kernel, initrd, machines } = ctx.options;
    ctx.tap('boot:decide', async (machine) => {
      const profile = machines[machine.mac];
      if (!profile) return null; // not ours: pixie stays silent for this MAC
      return { kernel, initrd, cmdline: `console=ttyS0 profile=${profile}` };
    });
    ctx.events.on('machine:booted', ({ machine }) => ctx.log.info({ mac: machine.mac }, 'machine reported booted'));
  },
});
