/**
 * Just enough of the PE and ELF formats to check what postject put into an agent executable:
 * the named resource of a Windows .exe (RT_RCDATA, where postject stores NODE_SEA_BLOB) and the
 * machine of an ELF file.
 */

/** Machine field of an ELF header (e_machine): 62 x86-64, 183 AArch64. */
export function elfMachine(buf: Buffer): number {
  if (buf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  return buf.readUInt16LE(18);
}

const RT_RCDATA = 10;

/** Bytes of the RT_RCDATA resource with the given name in a PE file, or undefined. */
export function peResource(buf: Buffer, name: string): Buffer | undefined {
  if (buf.toString('latin1', 0, 2) !== 'MZ') throw new Error('not a PE file (no MZ header)');
  const pe = buf.readUInt32LE(0x3c);
  if (buf.readUInt32BE(pe) !== 0x50450000) throw new Error('not a PE file (no PE signature)');
  const sections = buf.readUInt16LE(pe + 6);
  const optSize = buf.readUInt16LE(pe + 20);
  const opt = pe + 24;
  if (buf.readUInt16LE(opt) !== 0x20b) throw new Error('not a PE32+ (64-bit) file');
  const resourceRva = buf.readUInt32LE(opt + 112 + 2 * 8); // data directory 2: resources
  const sectionTable = opt + optSize;
  const toOffset = (rva: number): number => {
    for (let i = 0; i < sections; i++) {
      const s = sectionTable + i * 40;
      const va = buf.readUInt32LE(s + 12);
      const rawSize = buf.readUInt32LE(s + 16);
      const raw = buf.readUInt32LE(s + 20);
      const vsize = Math.max(buf.readUInt32LE(s + 8), rawSize);
      if (rva >= va && rva < va + vsize) return raw + (rva - va);
    }
    throw new Error(`RVA 0x${rva.toString(16)} is in no section`);
  };
  const root = toOffset(resourceRva);
  const entries = (dir: number) => {
    const count = buf.readUInt16LE(dir + 12) + buf.readUInt16LE(dir + 14);
    return Array.from({ length: count }, (_, i) => {
      const e = dir + 16 + i * 8;
      const id = buf.readUInt32LE(e);
      const target = buf.readUInt32LE(e + 4);
      const isNamed = (id & 0x80000000) !== 0;
      let entryName: string | number = id;
      if (isNamed) {
        const at = root + (id & 0x7fffffff);
        entryName = buf.toString('utf16le', at + 2, at + 2 + buf.readUInt16LE(at) * 2);
      }
      return { name: entryName, isDir: (target & 0x80000000) !== 0, at: root + (target & 0x7fffffff) };
    });
  };
  const type = entries(root).find((e) => e.name === RT_RCDATA && e.isDir);
  const named = type && entries(type.at).find((e) => e.name === name && e.isDir);
  const lang = named && entries(named.at)[0];
  if (!lang || lang.isDir) return undefined;
  const dataRva = buf.readUInt32LE(lang.at);
  const size = buf.readUInt32LE(lang.at + 4);
  const start = toOffset(dataRva);
  return buf.subarray(start, start + size);
}
