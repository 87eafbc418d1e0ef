import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkSources, folderOf, formatViolations, importsOf, readSources } from './import-direction.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('import direction (docs/ARCHITECTURE.md)', () => {
  it('every import of shared/, server/, agent/, bin/ and dashboard/src points down', () => {
    const sources = readSources(root, ['shared', 'server', 'agent', 'bin', 'dashboard/src']);
    expect(sources.size).toBeGreaterThan(150);
    const unplaced = [...sources.keys()].filter((f) => !folderOf(f));
    expect(unplaced).toEqual([]);
    expect(formatViolations(checkSources(sources))).toBe('');
  });

  it('fails on an upward import and names file → import', () => {
    const sources = new Map([
      ['server/store/devices.ts', "import { createRuleEngine } from '../alerting/engine/engine.js';\nimport type { Db } from './database.js';"],
      ['server/lib/errors.ts', "export { HttpError } from '../http/error-handler.js';"],
      ['server/alerting/policy/policy.ts', "const m = await import('../engine/engine.js');"],
      ['agent/connection.ts', "import { openDatabase } from '../server/store/database.js';"],
      ['server/gateway/agent-gateway.ts', "import type { LiveHub } from '../live/live-hub.js';"],
      ['server/ingest/ingest.ts', "import { createMetricStore } from '../series/metrics.js';\nimport type { MetricStore } from '../series/index.js';"],
      ['server/api/app.ts', "import { createHttpApp } from '../http/app.js';\nimport { x } from '../../shared/protocol.js';"],
      ['dashboard/src/lib/api.ts', "import { verifySignature } from '../../../shared/node/signing-message.js';"],
      ['agent/artifact-verify.ts', "import { verifySignature } from '../shared/node/signing-message.js';"],
    ]);
    expect(formatViolations(checkSources(sources)).split('\n')).toEqual([
      'server/store/devices.ts → ../alerting/engine/engine.js (server/alerting/engine/ is above server/store/)',
      'server/lib/errors.ts → ../http/error-handler.js (server/http/ is above server/lib/)',
      'server/alerting/policy/policy.ts → ../engine/engine.js (server/alerting/engine/ is above server/alerting/policy/)',
      'agent/connection.ts → ../server/store/database.js (agent/ may import only shared/)',
      'server/gateway/agent-gateway.ts → ../live/live-hub.js (server/gateway/ and server/live/ are siblings in one layer)',
      'server/ingest/ingest.ts → ../series/metrics.js (server/series/ is imported through its entry, server/series/index.js)',
      'dashboard/src/lib/api.ts → ../../../shared/node/signing-message.js (shared/node/ runs only in Node; the dashboard cannot import it)',
    ]);
  });

  it('reads import, export … from, side-effect and dynamic imports', () => {
    expect(importsOf("import a from './a.js';\nexport { b } from '../b.js';\nimport './c.js';\nawait import('./d.js');\nimport x from 'zod';")).toEqual([
      './a.js',
      '../b.js',
      './c.js',
      './d.js',
    ]);
  });
});
