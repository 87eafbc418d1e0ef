/**
 * A translated sentence with elements inside it (a link, a <code>, a bold phrase), without
 * cutting the sentence into pieces: an element stands in as a placeholder of the message, and a
 * tag of the message (`<b>…</b>`) is drawn by the function of that name.
 *
 *   <Msg k="app.notFound.body" values={{ path: <code>{path}</code> }} />
 *   <Msg k="twoFactor.on" values={{ left: 7, b: (text) => <strong>{text}</strong> }} />
 */
import type { ComponentChild } from 'preact';
import { useT, type DashKey } from './index.js';

const MARK = '\u0001';

type Value = string | number | ComponentChild | ((text: string) => ComponentChild);

export function Msg({ k, values = {} }: { k: DashKey; values?: Record<string, Value> }) {
  const t = useT();
  const plain: Record<string, unknown> = {};
  const nodes: ComponentChild[] = [];
  for (const [name, v] of Object.entries(values)) {
    if (typeof v === 'string' || typeof v === 'number') plain[name] = v;
    else if (typeof v === 'function') {
      plain[name] = (chunks: string[]) => {
        nodes.push(v(chunks.join('')));
        return `${MARK}${nodes.length - 1}${MARK}`;
      };
    } else {
      plain[name] = `${MARK}${nodes.length}${MARK}`;
      nodes.push(v);
    }
  }
  const parts = t(k, plain as Record<string, string>).split(MARK);
  return <>{parts.map((p, i) => (i % 2 === 1 ? nodes[Number(p)] : p))}</>;
}
