/**
 * The bytes a transfer has read from its source but not yet put into DATA
 * blocks: a queue of the source's own chunks (no concatenation), from which
 * blocks are copied straight into their reusable DATA buffers.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private offset = 0;
  private bytes = 0;

  /** Bytes queued. */
  get length(): number {
    return this.bytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /** Move up to `max` bytes into `dst` at `at`; returns how many were moved. */
  take(dst: Buffer, at: number, max: number): number {
    let moved = 0;
    while (moved < max && this.chunks.length > 0) {
      const chunk = this.chunks[0]!;
      const n = Math.min(chunk.length - this.offset, max - moved);
      chunk.copy(dst, at + moved, this.offset, this.offset + n);
      moved += n;
      this.offset += n;
      if (this.offset === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.bytes -= moved;
    return moved;
  }

  clear(): void {
    this.chunks = [];
    this.offset = 0;
    this.bytes = 0;
  }
}
