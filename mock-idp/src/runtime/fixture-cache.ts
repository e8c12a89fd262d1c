import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { packagePath } from '../support/package-root.js';
import { fileURLToPath } from 'node:url';
import type { FixtureDocument } from '../directory/model.js';
import { readTrustedFile, UntrustedStateError } from '../keys/state-dir.js';

/**
 * A start that serves the same fixture files as an earlier one skips reading them as YAML and
 * validating them (compiling the fixture JSON Schema alone costs more than the rest of a start):
 * the validated document is kept in the state directory, next to the keys, under the SHA-256 of
 * everything that decided it — the bytes of every fixture file and of the code that reads and
 * validates fixtures (directory/, the JSON Schema). Change any of it and the next start reads and
 * validates again. A fixture whose tenants `extends` or `generate` is never cached: it depends on
 * other files or is large.
 *
 * The cache is an optimisation only: any failure (unreadable, corrupt, full disk) falls back to
 * loading the files, and loading always reports every problem of an invalid fixture.
 */
const CACHE_DIR = 'fixture-cache';
const FORMAT = 'mock-entra fixture cache 1';
/** Entries kept; older ones are removed when a new one is written. */
const MAX_ENTRIES = 16;
/** Larger documents are not cached (they would cost disk more than they save time). */
const MAX_BYTES = 8 * 1024 * 1024;

/** The code a validated document depends on: the fixture reader and validator, and the schema. */
const CODE_DIRS = [fileURLToPath(new URL('../directory/', import.meta.url))];
const SCHEMA = packagePath('fixtures', 'schema.json');
/**
 * In the CLI bundle (scripts/bundle-cli.mjs) there is no directory/ to read: the bundler sets
 * this to the SHA-256 of directory/'s sources when it bundles them. Undefined elsewhere.
 */
declare const MOCK_ENTRA_FIXTURE_CODE_HASH: string | undefined;
const BUNDLED_CODE_HASH = typeof MOCK_ENTRA_FIXTURE_CODE_HASH === 'string' ? MOCK_ENTRA_FIXTURE_CODE_HASH : undefined;

interface Entry {
  format: string;
  key: string;
  document: FixtureDocument;
}

/**
 * The fixtures in `files`, from the cache when an earlier start validated exactly these bytes
 * with exactly this code, else from `load()` (whose result is then cached).
 */
export async function loadFixturesCached(files: string[], stateDir: string, load: () => Promise<FixtureDocument>): Promise<FixtureDocument> {
  let key: string | undefined;
  try {
    key = await cacheKey(files);
  } catch {
    key = undefined;
  }
  if (!key) return load();
  const path = join(stateDir, CACHE_DIR, `${key}.json`);
  try {
    // Checked like a key: a document planted here would be served as the fixture (keys/state-dir.ts).
    const text = await readTrustedFile(path);
    const entry = text === undefined ? undefined : (JSON.parse(text) as Entry);
    if (entry?.format === FORMAT && entry.key === key && Array.isArray(entry.document?.tenants)) return entry.document;
  } catch (e) {
    if (e instanceof UntrustedStateError) throw e;
    // Unreadable or corrupt: load.
  }
  const document = await load();
  void store(stateDir, path, { format: FORMAT, key, document }).catch(() => undefined);
  return document;
}

/** undefined when these files must not be cached. */
async function cacheKey(files: string[]): Promise<string | undefined> {
  const h = createHash('sha256').update(FORMAT);
  for (const file of files) {
    // A big file (a generated 100,000-user tenant is ~75 MB) makes a document too big to cache:
    // hashing, scanning and serializing it would only add seconds and hundreds of MiB to its load.
    if ((await stat(file)).size > MAX_BYTES) return undefined;
    const bytes = await readFile(file);
    // Cheap and conservative: any mention of the directives that read other files or generate.
    const text = bytes.toString('utf8');
    if (/\bextends\b|\bgenerate\b/.test(text)) return undefined;
    h.update(`\0file\0${resolve(file)}\0`).update(bytes);
  }
  if (BUNDLED_CODE_HASH) h.update('\0bundled code\0').update(BUNDLED_CODE_HASH);
  else
    for (const dir of CODE_DIRS) {
      for (const name of (await readdir(dir)).filter((n) => /\.(js|ts)$/.test(n) && !n.endsWith('.d.ts')).sort()) {
        h.update(`\0code\0${name}\0`).update(await readFile(join(dir, name)));
      }
    }
  h.update('\0schema\0').update(await readFile(SCHEMA));
  return h.digest('hex');
}

async function store(stateDir: string, path: string, entry: Entry): Promise<void> {
  const text = JSON.stringify(entry);
  if (text.length > MAX_BYTES) return;
  const dir = join(stateDir, CACHE_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
  const entries = await Promise.all((await readdir(dir)).filter((n) => n.endsWith('.json')).map(async (n) => ({ n, at: (await stat(join(dir, n))).mtimeMs })));
  entries.sort((a, b) => b.at - a.at);
  await Promise.all(entries.slice(MAX_ENTRIES).map((e) => unlink(join(dir, e.n)).catch(() => undefined)));
}
