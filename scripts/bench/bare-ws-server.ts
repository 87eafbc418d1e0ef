/**
 * Baseline: the least a WebSocket receiver can do with our frames — parse the JSON and answer an
 * ack — with no validation, no storage. Forked by the flood section.
 */
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 256 * 1024 });
wss.on('listening', () => {
  const addr = wss.address();
  process.send?.({ type: 'listening', port: addr && typeof addr === 'object' ? addr.port : 0, pid: process.pid });
});
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { type: string; seq?: number };
    if (m.type === 'hello')
      ws.send(JSON.stringify({ type: 'welcome', v: 1, deviceId: 'x', serverVersion: 'bare', lastSeq: 0, config: { intervalMs: 10_000 } }));
    else ws.send(JSON.stringify({ type: 'ack', v: 1, seq: m.seq }));
  });
});
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'stop') wss.close(() => process.exit(0));
});
