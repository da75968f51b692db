// Lint: a small typescript-eslint set that catches real bugs in server and timer code, plus the
// import boundary between the top-level folders of src/ (docs/design.md "Parts").
import { dirname, relative, resolve, sep } from 'node:path'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * Import boundaries, enforced: a file in src/<a>/ may import from another top-level folder src/<b>/
 * only through src/<b>/index.ts (its public face), never from b's internal files; static, dynamic
 * and type imports and re-exports alike. Files directly in src/ (index.ts, errors.ts, ajv.ts) are
 * shared by every part and not checked. An index that would load a heavy module (undici, express,
 * xmlbuilder2) on a start-up path does not re-export it: that module is loaded lazily where it is
 * used, or the light part is a folder of its own (src/profile/). There are no exceptions.
 */
const ENFORCE_BOUNDARIES = true

const SRC = resolve(import.meta.dirname, 'src')

/** The top-level folder of src/ that `file` lies in, or undefined for files directly in src/ and outside it. */
function srcFolderOf(file) {
  const rel = relative(SRC, file)
  if (rel.startsWith('..') || !rel.includes(sep)) return undefined
  return rel.split(sep)[0]
}

const boundaries = {
  rules: {
    'through-index': {
      meta: {
        type: 'problem',
        docs: { description: "imports across src/ folders go through the folder's index.ts" },
        messages: {
          deep: "'{{spec}}' reaches into src/{{folder}}/ internals: import it from src/{{folder}}/index.ts (add the export there).",
        },
        schema: [],
      },
      create(context) {
        const from = srcFolderOf(context.filename)
        if (from === undefined) return {}
        const check = (node) => {
          const source = node.source
          if (!source || source.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return
          const target = resolve(dirname(context.filename), source.value)
          const folder = srcFolderOf(target)
          if (folder === undefined || folder === from) return
          const rest = relative(resolve(SRC, folder), target)
          if (rest === 'index.js' || rest === 'index.ts' || rest === 'index') return
          context.report({ node: source, messageId: 'deep', data: { spec: source.value, folder } })
        }
        return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check }
      },
    },
  },
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'certs/**', 'test-results/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs', '!web/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The browser page: plain JS type-checked through JSDoc (tsconfig.web.json), linted with the same rules.
    files: ['web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      parserOptions: { project: './tsconfig.web.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // TypeScript (checkJs) knows the DOM globals; no-undef does not.
      'no-undef': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/cli/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    rules: { 'boundaries/through-index': ENFORCE_BOUNDARIES ? 'error' : 'off' },
  },
)
