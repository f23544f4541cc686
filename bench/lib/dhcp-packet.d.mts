/** Types for dhcp-packet.mjs (the boot-storm simulator's DHCP client side). */
export declare const PXE_VENDOR_CLASS: string;
export interface ReplyFields {
  xid: number;
  type: number | undefined;
  siaddr: string;
  serverId: string | undefined;
  file: string;
  vendorOptions: Buffer | undefined;
  mac: Buffer;
}
export declare function discover(mac: Buffer, xid: number, opts?: { ipxe?: boolean }): Buffer;
export declare function bootServerRequest(mac: Buffer, xid: number, ciaddr: string, itemType: number, opts?: { ipxe?: boolean }): Buffer;
export declare function parseReply(buf: Buffer): ReplyFields | undefined;
export declare function firstMenuItem(vendorOptions: Buffer | undefined): number | undefined;
