// Type-level tests of the hook map: `tsc --noEmit` (part of `npm test`)
// fails if a tap's arguments or result stop matching core/hooks.ts.
import test from 'ava';
import { definePlugin } from '../../core/plugin.js';

export const typed = definePlugin({
  name: 'typed',
  setup(ctx) {
    ctx.tap('boot:decide', async (machine) => {
      const mac: string = machine.mac;
      // @ts-expect-error machines have no `hostname`
      void machine.hostname;
      return mac ? { kernel: 'k', initrd: ['i'] } : null;
    });
    // @ts-expect-error boot:decide must return a BootSpec, null or undefined
    ctx.tap('boot:decide', async () => 42);
    ctx.tap('dhcp:discover', async (_m, req) => (req.port === 4011 ? false : undefined));
    // @ts-expect-error dhcp:discover may only return false or undefined
    ctx.tap('dhcp:discover', async () => true);
    ctx.tap('ipxe:script', async (script, machine, spec) => `${script}\n# ${machine.mac} ${spec.kernel ?? ''}`);
    // @ts-expect-error unknown hook names are rejected
    ctx.tap('boot:decided', async () => undefined);
  },
});

test('the hook map type-checks (see tsc)', (t) => {
  t.is(typed.name, 'typed');
});
