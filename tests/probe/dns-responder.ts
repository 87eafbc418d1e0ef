/**
 * A minimal DNS server on loopback UDP for the DNS check: answers A queries for the names it
 * knows and NXDOMAIN for the rest (RFC 1035 message format, one question, no compression on input).
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface DnsResponder {
  address: string;
  close(): Promise<void>;
}

/** Starts a responder for `records` (name → IPv4 address). */
export async function startDnsResponder(records: Record<string, string>): Promise<DnsResponder> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    let i = 12;
    const labels: string[] = [];
    while (i < msg.length && msg[i] !== 0) {
      const len = msg[i]!;
      labels.push(msg.subarray(i + 1, i + 1 + len).toString('ascii'));
      i += len + 1;
    }
    const questionEnd = i + 5; // zero byte + QTYPE + QCLASS
    const qtype = msg.readUInt16BE(i + 1);
    const address = records[labels.join('.').toLowerCase()];
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    const isAnswer = address !== undefined && qtype === 1;
    header.writeUInt16BE(0x8180 | (address === undefined ? 3 : 0), 2); // response, RD+RA, NXDOMAIN when unknown
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(isAnswer ? 1 : 0, 6);
    const question = msg.subarray(12, questionEnd);
    const parts = [header, question];
    if (isAnswer) {
      const answer = Buffer.alloc(16);
      answer.writeUInt16BE(0xc00c, 0); // name: pointer to the question
      answer.writeUInt16BE(1, 2); // A
      answer.writeUInt16BE(1, 4); // IN
      answer.writeUInt32BE(60, 6); // TTL
      answer.writeUInt16BE(4, 10);
      address.split('.').forEach((o, k) => answer.writeUInt8(Number(o), 12 + k));
      parts.push(answer);
    }
    socket.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return { address: `127.0.0.1:${port}`, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}
