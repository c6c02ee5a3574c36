import ts from 'typescript';

/** The names a TypeScript entry file exports, split into runtime values and type-only names. */
export interface ExportedNames {
  /** Exports that exist at runtime (functions, classes, constants). */
  values: string[];
  /** Exports that exist only for the type checker (interfaces, type aliases). */
  types: string[];
}

/**
 * Reads what a `.ts` or `.d.ts` entry exports, through the type checker (so `export *` and
 * `export type *` are followed), without emitting anything.
 */
export function readExportedNames(entryFile: string): ExportedNames {
  const program = ts.createProgram([entryFile], {
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entryFile);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`cannot read the exports of ${entryFile}`);

  const values: string[] = [];
  const types: string[] = [];
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const typeOnly = !(target.flags & ts.SymbolFlags.Value) || isTypeOnlyExport(symbol);
    (typeOnly ? types : values).push(symbol.getName());
  }
  return { values: values.sort(), types: types.sort() };
}

/** `export type { X }` of a class makes X a type-only export even though X is a value. */
function isTypeOnlyExport(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some((declaration) => ts.isTypeOnlyExportDeclaration(declaration));
}

/**
 * Type errors inside the declaration files under `dir` reachable from `entryFiles` (a `.d.ts`
 * importing a type that does not exist, say), without checking every library they import.
 */
export function declarationErrors(entryFiles: string[], dir: string): string[] {
  const program = ts.createProgram(entryFiles, {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    esModuleInterop: true,
    noEmit: true,
    types: ['node'],
  });
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return program
    .getSourceFiles()
    .filter((file) => file.fileName.startsWith(prefix))
    .flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)])
    .map((diagnostic) => `${diagnostic.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
}
