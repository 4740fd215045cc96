// Rewrites dist/index.d.cts so the CommonJS types match the CommonJS runtime, where require()
// returns the class itself (see tsup.config.ts): `export = LokiTransport` with a merged namespace
// carrying the named exports and `default`. Without it, TypeScript would type
// `import LokiTransport = require('@loki-sdk/winston-loki-transport')` as a namespace object, not the class.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../dist/index.d.cts', import.meta.url);
let text = readFileSync(file, 'utf8');

const fail = (what) => {
  throw new Error(
    `cjs-types: ${what} not found in dist/index.d.cts; tsup's output changed, update scripts/cjs-types.mjs`,
  );
};
const names = (list) =>
  list
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);

// Re-exports from core become imports (merged with the existing one) and namespace members.
const coreImport = /^import \{([^}]*)\} from '@loki-sdk\/core\/adapter';\n/m.exec(text) ?? fail('core import');
const coreReexport = /^export \{([^}]*)\} from '@loki-sdk\/core\/adapter';\n/m.exec(text) ?? fail('core re-export');
const reexported = names(coreReexport[1]);
const imported = [...new Set([...names(coreImport[1]), ...reexported])];
text = text
  .replace(coreReexport[0], '')
  .replace(coreImport[0], `import { ${imported.join(', ')} } from '@loki-sdk/core/adapter';\n`);

const finalExport = /^export \{([^}]*)\};\s*$/m.exec(text) ?? fail('final export');
const members = [...names(finalExport[1]), ...reexported];
if (!members.includes('LokiTransport') || !members.includes('LokiTransport as default')) fail('LokiTransport exports');
text =
  text.slice(0, finalExport.index) +
  `declare namespace LokiTransport {\n    export { ${members.join(', ')} };\n}\nexport = LokiTransport;\n`;
writeFileSync(file, text);
