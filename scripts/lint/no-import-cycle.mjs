// An ESLint rule that refuses import cycles, type-only imports included.
//
// eslint-plugin-import's `no-cycle` (and eslint-plugin-import-x's) skip `import type` by design: a
// type-only cycle costs nothing at run time. It still ties the modules into one knot a reader has to
// take in whole, and it is how a core layer starts depending on the layers above it, so this rule
// counts every import TypeScript sees: `import`, `import type`, `export … from`, `import()` in a type
// or an expression. Specifiers are resolved as the compiler resolves them (tsconfig.json's options,
// its `paths` included); modules in node_modules are left out, since no cycle passes through them.
//
// The rule reports each import of the linted file whose target is in the same strongly connected
// component of the import graph, with one shortest way back, so a cycle is named at every edge of
// it. The graph is read lazily from the files themselves and kept for the process, file by file,
// keyed by modification time.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** @type {Map<string, { mtimeMs: number, imports: { specifier: string, target: string }[] }>} */
const fileImports = new Map();
/** @type {Map<string, ts.CompilerOptions>} */
const optionsByRoot = new Map();

function compilerOptions(root) {
  let options = optionsByRoot.get(root);
  if (!options) {
    const configPath = ts.findConfigFile(root, ts.sys.fileExists, 'tsconfig.json');
    if (!configPath) throw new Error(`no-import-cycle: no tsconfig.json above ${root}`);
    const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
    if (error) throw new Error(`no-import-cycle: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
    options = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configPath)).options;
    optionsByRoot.set(root, options);
  }
  return options;
}

/** The project's own modules a text imports, resolved, with where; unresolvable and external specifiers are left out. */
function importsIn(text, file, options) {
  const imports = [];
  for (const { fileName: specifier, pos } of ts.preProcessFile(text, true, true).importedFiles) {
    const resolved = ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule;
    if (!resolved || resolved.isExternalLibraryImport || resolved.resolvedFileName.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (resolved.extension === ts.Extension.Dts) continue;
    imports.push({ specifier, pos, target: path.resolve(resolved.resolvedFileName) });
  }
  return imports;
}

/** What a file on disk imports, read once per modification. */
function importsOf(file, options) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return [];
  }
  const cached = fileImports.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs) return cached.imports;
  const imports = importsIn(fs.readFileSync(file, 'utf8'), file, options);
  fileImports.set(file, { mtimeMs: stat.mtimeMs, imports });
  return imports;
}

/** The files from which `start` can be reached again, by a search backwards over what `start` reaches. */
function componentOf(start, startImports, options) {
  const reached = new Set([start]);
  const importedBy = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const { target } of file === start ? startImports : importsOf(file, options)) {
      if (!importedBy.has(target)) importedBy.set(target, new Set());
      importedBy.get(target).add(file);
      if (!reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  const component = new Set([start]);
  const back = [start];
  while (back.length > 0) {
    const file = back.shift();
    for (const importer of importedBy.get(file) ?? []) {
      if (!component.has(importer)) {
        component.add(importer);
        back.push(importer);
      }
    }
  }
  return component;
}

/** One shortest chain of imports from `from` back to `to`, inside the component. */
function wayBack(from, to, component, options) {
  const previous = new Map([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const file = queue.shift();
    if (file === to) break;
    for (const { target } of importsOf(file, options)) {
      if (component.has(target) && !previous.has(target)) {
        previous.set(target, file);
        queue.push(target);
      }
    }
  }
  const chain = [];
  for (let file = to; file !== null && file !== undefined; file = previous.get(file)) chain.unshift(file);
  return chain;
}

/** @type {import('eslint').Rule.RuleModule} */
const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles, counting type-only imports.' },
    schema: [],
    messages: { cycle: 'Import cycle: {{chain}}. Move what both sides need into a module below them.' },
  },
  create(context) {
    const file = path.resolve(context.physicalFilename);
    const root = context.cwd;
    const options = compilerOptions(root);
    const relative = (f) => path.relative(root, f);
    return {
      Program() {
        // The linted text itself, which an editor may not have saved yet; the rest of the graph from disk.
        const imports = importsIn(context.sourceCode.text, file, options);
        if (imports.length === 0) return;
        const component = componentOf(file, imports, options);
        if (component.size === 1) return;
        const reported = new Set();
        for (const { specifier, pos, target } of imports) {
          if (!component.has(target) || reported.has(target)) continue;
          reported.add(target);
          const chain = [file, ...wayBack(target, file, component, options)].map(relative).join(' → ');
          const start = context.sourceCode.getLocFromIndex(pos);
          const end = context.sourceCode.getLocFromIndex(pos + specifier.length + 2);
          context.report({ loc: { start, end }, messageId: 'cycle', data: { chain } });
        }
      },
    };
  },
};

const plugin = { rules: { 'no-import-cycle': noImportCycle } };

export default plugin;
