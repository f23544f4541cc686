// The client side of DHCP for the boot-storm simulator: builds the DISCOVERs a PXE ROM
// and iPXE send, and reads the fields of a (proxy) OFFER the next steps need. Kept
// apart from pixie's own codec on purpose, so the bench does not test pixie with itself.
// Layout: RFC 2131 §2 (fixed header, magic cookie 99.130.83.99, options); PXE options
// 93/94/97 from RFC 4578; iPXE's user class (77) and encapsulated options (175).

const COOKIE = [99, 130, 83, 99];
/** The 2019 iPXE ROM's vendor class (BIOS, UNDI 2.1). */
export const PXE_VENDOR_CLASS = 'PXEClient:Arch:00000:UNDI:002001';

function option(code, bytes) {
  return [code, bytes.length, ...bytes];
}

function ascii(s) {
  return [...Buffer.from(s, 'latin1')];
}

/**
 * A DISCOVER from `mac` (6 bytes) with transaction id `xid`, broadcast flag set.
 * `ipxe: false` → what a BIOS PXE ROM sends (vendor class, 93 = 0, 94, 97);
 * `ipxe: true` → what iPXE sends next (the same plus user class "iPXE" and 175 with
 * the HTTP feature, 175.19).
 */
export function discover(mac, xid, { ipxe = false } = {}) {
  return request(mac, xid, { ipxe, type: 1 });
}

/**
 * The boot server REQUEST a PXE client sends to port 4011 after a proxy OFFER that
 * carries a boot menu instead of a file (PXE 2.1 §2.2.5): ciaddr = its address,
 * option 43 sub-option 71 = the chosen boot item (type, layer 0).
 */
export function bootServerRequest(mac, xid, ciaddr, itemType, { ipxe = false } = {}) {
  return request(mac, xid, { ipxe, type: 3, ciaddr, vendor: [71, 4, itemType >> 8, itemType & 0xff, 0, 0, 255] });
}

function request(mac, xid, { ipxe, type, ciaddr, vendor }) {
  const head = Buffer.alloc(240);
  head[0] = 1; // BOOTREQUEST
  head[1] = 1; // Ethernet
  head[2] = 6;
  head.writeUInt32BE(xid >>> 0, 4);
  if (ciaddr) Buffer.from(ciaddr.split('.').map(Number)).copy(head, 12);
  else head.writeUInt16BE(0x8000, 10); // broadcast flag: no address yet
  mac.copy(head, 28);
  Buffer.from(COOKIE).copy(head, 236);
  const guid = Buffer.alloc(16);
  mac.copy(guid, 10);
  const opts = [
    ...option(53, [type]),
    ...option(55, [1, 3, 43, 54, 60, 66, 67, 97, 128, 175]),
    ...option(57, [0x05, 0xc0]),
    ...option(60, ascii(PXE_VENDOR_CLASS)),
    ...option(93, [0, 0]),
    ...option(94, [1, 2, 1]),
    ...option(97, [0, ...guid]),
  ];
  if (ipxe) {
    opts.push(...option(77, ascii('iPXE')));
    // 175: 0xeb (version 1.0.0), 0x13 (HTTP) = 1, 0x18 (bzImage) = 1.
    opts.push(...option(175, [0xeb, 3, 1, 0, 0, 0x13, 1, 1, 0x18, 1, 1]));
  }
  if (vendor) opts.push(...option(43, vendor));
  opts.push(255);
  return Buffer.concat([head, Buffer.from(opts)]);
}

/**
 * The first boot item type of a PXE boot menu (option 43 sub-option 9: type, length,
 * text, …), or undefined when the vendor options hold no menu.
 */
export function firstMenuItem(vendorOptions) {
  if (!vendorOptions) return undefined;
  for (let i = 0; i + 1 < vendorOptions.length;) {
    const code = vendorOptions[i];
    if (code === 255) break;
    if (code === 0) {
      i += 1;
      continue;
    }
    const len = vendorOptions[i + 1];
    if (code === 9 && len >= 3) return vendorOptions.readUInt16BE(i + 2);
    i += 2 + len;
  }
  return undefined;
}

/** The fields of a reply the simulator uses; undefined when `buf` is not a BOOTREPLY. */
export function parseReply(buf) {
  if (buf.length < 240 || buf[0] !== 2 || buf.readUInt32BE(236) !== 0x63825363) return undefined;
  const options = new Map();
  for (let i = 240; i < buf.length;) {
    const code = buf[i];
    if (code === 255) break;
    if (code === 0) {
      i += 1;
      continue;
    }
    const len = buf[i + 1];
    if (len === undefined || i + 2 + len > buf.length) break;
    options.set(code, buf.subarray(i + 2, i + 2 + len));
    i += 2 + len;
  }
  const cstr = (b) => {
    const end = b.indexOf(0);
    return b.subarray(0, end < 0 ? b.length : end).toString('latin1');
  };
  const file = options.has(67) ? options.get(67).toString('latin1').replace(/\0.*$/, '') : cstr(buf.subarray(108, 236));
  const type = options.get(53)?.[0];
  return {
    xid: buf.readUInt32BE(4),
    type,
    siaddr: [...buf.subarray(20, 24)].join('.'),
    serverId: options.has(54) ? [...options.get(54)].join('.') : undefined,
    file,
    vendorOptions: options.get(43),
    mac: buf.subarray(28, 34),
  };
}
