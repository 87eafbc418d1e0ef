/**
 * Windows probes: ping.exe takes `-n count -w ms` and prints in the system's language, so its
 * output is read by its numbers. Samples as captured from English and Dutch Windows.
 */
import { describe, expect, it } from 'vitest';
import { parseWindowsPingOutput, pingArgs } from '../../agent/probe/ping.js';

const ENGLISH = `
Pinging 192.168.1.20 with 32 bytes of data:
Reply from 192.168.1.20: bytes=32 time=12ms TTL=64
Reply from 192.168.1.20: bytes=32 time<1ms TTL=64
Request timed out.

Ping statistics for 192.168.1.20:
    Packets: Sent = 3, Received = 2, Lost = 1 (33% loss),
Approximate round trip times in milli-seconds:
    Minimum = 0ms, Maximum = 12ms, Average = 6ms
`.replace(/\n/g, '\r\n');

const DUTCH = `
Pingen naar 192.168.1.20 met 32 bytes aan gegevens:
Antwoord van 192.168.1.20: bytes=32 tijd=12 ms TTL=64
Antwoord van 192.168.1.20: bytes=32 tijd=4 ms TTL=64
Antwoord van 192.168.1.20: bytes=32 tijd=8 ms TTL=64

Ping-statistieken voor 192.168.1.20:
    Pakketten: verzonden = 3, ontvangen = 3, verloren = 0
    (0% verlies).
De gemiddelde tijd voor het uitvoeren van één bewerking in milliseconden:
    Minimum = 4 ms, Maximum = 12 ms, Gemiddelde = 8 ms
`.replace(/\n/g, '\r\n');

// The gateway answers for a host that is not there: "received" in the summary, but no reply.
const UNREACHABLE = `
Pinging 192.168.1.99 with 32 bytes of data:
Reply from 192.168.1.5: Destination host unreachable.
Reply from 192.168.1.5: Destination host unreachable.

Ping statistics for 192.168.1.99:
    Packets: Sent = 2, Received = 2, Lost = 0 (0% loss),
`;

const ALL_LOST_DUTCH = `
Pingen naar 10.0.0.9 met 32 bytes aan gegevens:
Time-out bij opvragen.
Time-out bij opvragen.

Ping-statistieken voor 10.0.0.9:
    Pakketten: verzonden = 2, ontvangen = 0, verloren = 2
    (100% verlies).
`;

const UNKNOWN_HOST = 'Ping request could not find host printer-kantoor. Please check the name and try again.\r\n';

describe('Windows ping', () => {
  it('is called with ping.exe flags there, iputils flags elsewhere', () => {
    expect(pingArgs('win32', '192.168.1.20', 3, 2_000)).toEqual(['-n', '3', '-w', '2000', '192.168.1.20']);
    expect(pingArgs('linux', '192.168.1.20', 3, 2_000)).toEqual(['-n', '-c', '3', '-i', '0.2', '-W', '2', '--', '192.168.1.20']);
  });

  it('reads English and Dutch output by their numbers', () => {
    expect(parseWindowsPingOutput(ENGLISH)).toEqual({ sent: 3, received: 2, avgMs: 6.25 });
    expect(parseWindowsPingOutput(DUTCH)).toEqual({ sent: 3, received: 3, avgMs: 8 });
  });

  it('counts only TTL lines as replies: "destination host unreachable" is none', () => {
    expect(parseWindowsPingOutput(UNREACHABLE)).toEqual({ sent: 2, received: 0, avgMs: null });
    expect(parseWindowsPingOutput(ALL_LOST_DUTCH)).toEqual({ sent: 2, received: 0, avgMs: null });
  });

  it('gives up on output without a summary (the TCP fallback takes over)', () => {
    expect(parseWindowsPingOutput(UNKNOWN_HOST)).toBeUndefined();
    expect(parseWindowsPingOutput('')).toBeUndefined();
  });
});
