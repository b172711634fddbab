import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { ROOT } from '../helpers';

/*
 * A promise left floating in src/ fails with nobody to hear: Node ends the process on
 * its unhandled rejection (the CLI died that way when git failed early). Every
 * promise a statement makes is awaited, returned, or marked `void` on purpose with
 * its failure handled. Read with TypeScript's own type checker, as a type-aware lint.
 */

const SRC = path.join(ROOT, 'src');

/** Each statement of src/ whose value is a promise that nothing awaits, as "file:line: text". */
function floatingPromises(): string[] {
  const configFile = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
  const program = ts.createProgram(
    parsed.fileNames.filter((f) => f.startsWith(SRC + path.sep)),
    parsed.options,
  );
  const checker = program.getTypeChecker();
  const isThenable = (node: ts.Node): boolean => {
    const type = checker.getTypeAtLocation(node);
    return [type, ...(type.isUnion() ? type.types : [])].some((t) => {
      const then = t.getProperty('then');
      return then !== undefined && checker.getTypeOfSymbolAtLocation(then, node).getCallSignatures().length > 0;
    });
  };
  /** An assignment keeps the promise; `.catch(f)` and `.then(f, g)` handle its failure, as typescript-eslint's rule has it. */
  const isKeptOrHandled = (e: ts.Expression): boolean => {
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
    if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) return false;
    const method = e.expression.name.text;
    return (method === 'catch' && e.arguments.length >= 1) || (method === 'then' && e.arguments.length >= 2);
  };
  const found: string[] = [];
  for (const source of program.getSourceFiles()) {
    if (!source.fileName.startsWith(SRC + path.sep)) continue;
    const visit = (node: ts.Node): void => {
      const statement = ts.isExpressionStatement(node) ? node.expression : undefined;
      if (statement && !ts.isVoidExpression(statement) && !ts.isAwaitExpression(statement) && !isKeptOrHandled(statement) && isThenable(statement)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push(`${path.relative(ROOT, source.fileName)}:${line + 1}: ${node.getText(source).slice(0, 100)}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

test('no promise in src/ is left floating: each is awaited, returned, or marked void on purpose', () => {
  assert.deepEqual(floatingPromises(), []);
});
