import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify as stringifyYaml } from 'yaml';
import { FixtureError, formatIssue, type FixtureDocument, type FixtureIssue, type GenerateSpec, type TenantSource } from '../mock-idp/src/index.js';
import { consentExample, fixtureToJson, importManifest, isGuid, loadFixtureFile, loadFixtures, resolveFixture, stableUuid } from '../mock-idp/src/fixtures.js';

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const FIXTURES_USAGE = `Usage:
  mock-entra fixtures validate FILE...
      Check fixture files (YAML or JSON). Prints "FILE: ok (…)" or every problem with its
      file and JSON path; exits 1 when there is any.

  mock-entra fixtures import MANIFEST.json [options]
      Turn an app registration manifest (portal → App registrations → Manifest; the Microsoft
      Graph or the legacy Azure AD Graph form) into a one-tenant fixture. Notes go to stderr.
      -o, --out FILE          write the fixture here instead of stdout
          --format yaml|json  output format (default: yaml, or json when --out ends in .json)
          --tenant GUID       the tenant id (default: derived from the appId)
          --tenant-name NAME  the tenant's display name (default: Imported tenant)
          --domain DOMAIN     the tenant's verified domain (default: imported.onmicrosoft.com)

  mock-entra fixtures generate [options]
      Write a tenant with generated users and groups, fully expanded (no extends, no generate
      left: a plain fixture any tool can read). The same options always write the same file.
          --seed N                      seeds names, ids, memberships (default 1)
          --users N                     how many users (default 1000)
          --groups N                    how many groups (default 100)
          --memberships-per-user N      mean direct memberships of a user (default 10)
          --nested-groups X             security groups inside another: share (0 ≤ x < 1) or count
          --users-in-many-groups C:G    C users in exactly G security groups (e.g. 3:250: overage)
          --users-without-mail X        share of users without mail
          --guests X                    share of guests (alice_fabrikam.com#EXT#@domain)
          --microsoft365-groups X       share of Microsoft 365 groups
          --extends contoso|FILE[#ID]   keep a base tenant's apps, secrets, consents, users, groups
          --tenant GUID                 tenant id (default: the base's, or derived from the seed)
          --tenant-name NAME            display name (default: the base's, or "Generated tenant")
          --domain DOMAIN               verified domain (default: the base's, or generated-SEED.onmicrosoft.com)
      -o, --out FILE                    write here instead of stdout
          --format json|yaml            default json (yaml when --out ends in .yaml or .yml);
                                        YAML is for small tenants: at 100,000 users it parses
                                        ~70 times slower than JSON and needs over 2 GiB

  mock-entra fixtures help
`;

/**
 * `mock-entra fixtures …`: validate fixture files, import a portal manifest. Returns the exit
 * code: 0 success, 1 invalid input (a fixture or manifest with problems), 2 usage errors.
 *
 * @example
 * process.exitCode = await runFixturesCommand(['validate', 'fixtures/contoso.yaml'], io);
 */
export async function runFixturesCommand(args: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = args;
  try {
    switch (subcommand) {
      case 'validate':
        return await validateCommand(rest, io);
      case 'import':
        return await importCommand(rest, io);
      case 'generate':
        return await generateCommand(rest, io);
      case 'help':
      case '--help':
      case '-h':
        io.stdout(FIXTURES_USAGE);
        return 0;
      case undefined:
        io.stderr(`mock-entra fixtures: a subcommand is required\n\n${FIXTURES_USAGE}`);
        return 2;
      default:
        io.stderr(`mock-entra fixtures: unknown subcommand '${subcommand}'\n\n${FIXTURES_USAGE}`);
        return 2;
    }
  } catch (e) {
    // parseArgs throws TypeErrors with a code for unknown or malformed options: a usage error.
    if ((e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`mock-entra fixtures ${subcommand ?? ''}: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// validate

async function validateCommand(args: string[], io: CommandIo): Promise<number> {
  const { positionals: files } = parseArgs({ args, allowPositionals: true, options: {} });
  if (files.length === 0) {
    io.stderr(`mock-entra fixtures validate: name at least one fixture file\n\n${FIXTURES_USAGE}`);
    return 2;
  }
  let failed = false;
  for (const file of files) {
    const issues = await fixtureFileIssues(file, io);
    if (issues.length > 0) failed = true;
    for (const issue of issues) io.stdout(`${formatIssue(issue)}\n`);
  }
  // Files that are fine alone can still clash when served together (a tenant defined twice).
  if (!failed && files.length > 1) {
    const together = await fixtureIssuesOf(() => loadFixtures(files));
    for (const issue of together) io.stdout(`${formatIssue(issue)}\n`);
    if (together.length > 0) failed = true;
  }
  return failed ? 1 : 0;
}

async function fixtureFileIssues(file: string, io: CommandIo): Promise<FixtureIssue[]> {
  return fixtureIssuesOf(async () => {
    const doc = await loadFixtureFile(file);
    io.stdout(`${file}: ok (${summarize(doc)})\n`);
  });
}

/** Runs a load; a FixtureError becomes its list of issues. */
async function fixtureIssuesOf(load: () => Promise<unknown>): Promise<FixtureIssue[]> {
  try {
    await load();
    return [];
  } catch (e) {
    if (e instanceof FixtureError) return e.issues;
    throw e;
  }
}

function summarize(doc: FixtureDocument): string {
  const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const sum = (pick: (t: FixtureDocument['tenants'][number]) => unknown[] | undefined): number =>
    doc.tenants.reduce((total, t) => total + (pick(t)?.length ?? 0), 0);
  return [
    count(doc.tenants.length, 'tenant'),
    count(
      sum((t) => t.applications),
      'app',
    ),
    count(
      sum((t) => t.users),
      'user',
    ),
    count(
      sum((t) => t.groups),
      'group',
    ),
  ].join(', ');
}

// ---------------------------------------------------------------------------------------------
// import

const FORMATS = ['yaml', 'json'] as const;
type Format = (typeof FORMATS)[number];

async function importCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      format: { type: 'string' },
      tenant: { type: 'string' },
      'tenant-name': { type: 'string' },
      domain: { type: 'string' },
    },
  });
  const usageError = (message: string): number => {
    io.stderr(`mock-entra fixtures import: ${message}\n\n${FIXTURES_USAGE}`);
    return 2;
  };
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) return usageError('name exactly one manifest file');
  if (values.tenant !== undefined && !isGuid(values.tenant)) return usageError(`--tenant must be a GUID, not '${values.tenant}'`);
  const format = values.format ?? (values.out?.endsWith('.json') ? 'json' : 'yaml');
  if (!isFormat(format)) return usageError(`--format must be yaml or json, not '${format}'`);

  const manifest = await readManifest(file, io);
  if (manifest === undefined) return 1;
  const { fixture, notes, issues } = importManifest(manifest, {
    file,
    ...(values.tenant !== undefined ? { tenantId: values.tenant } : {}),
    ...(values['tenant-name'] !== undefined ? { tenantDisplayName: values['tenant-name'] } : {}),
    ...(values.domain !== undefined ? { domain: values.domain } : {}),
  });

  for (const note of notes) io.stderr(`note: ${note}\n`);
  for (const issue of issues) io.stderr(`${formatIssue(issue)}\n`);
  // Not a manifest at all (no application in the result): there is no fixture to write.
  if (fixture.tenants.length === 0) return 1;
  // stdout is usually redirected into the fixture file (`> customer.yaml`): an invalid fixture
  // there would look like a result. A file named by --out is written anyway, to fix by hand.
  if (values.out === undefined && issues.length > 0) {
    io.stderr('nothing written: fix the manifest, or pass --out FILE to get the fixture with its problems to fix\n');
    return 1;
  }
  const text = format === 'json' ? `${JSON.stringify(fixture, null, 2)}\n` : fixtureYaml(fixture, basename(file));
  if (values.out === undefined) {
    io.stdout(text);
    return 0;
  }
  await writeFile(values.out, text);
  io.stderr(`wrote ${values.out}${issues.length > 0 ? ` (with ${issues.length} problem${issues.length === 1 ? '' : 's'} to fix)` : ''}\n`);
  return issues.length > 0 ? 1 : 0;
}

const isFormat = (value: string): value is Format => (FORMATS as readonly string[]).includes(value);

/** Reads and parses the manifest; reports and returns undefined when it cannot. */
async function readManifest(file: string, io: CommandIo): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    io.stderr(`${formatIssue({ file, path: '', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` })}\n`);
    return undefined;
  }
  try {
    // The portal's Download button writes a UTF-8 byte order mark.
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (e) {
    io.stderr(`${formatIssue({ file, path: '', message: `cannot parse: ${(e as Error).message}` })}\n`);
    return undefined;
  }
}

/**
 * The fixture as YAML, with the consent the manifest could not carry appended as comments at
 * the tenant's indentation: uncommenting them reproduces "Grant admin consent".
 */
function fixtureYaml(fixture: FixtureDocument, source: string): string {
  const header = [
    `# Imported by \`mock-entra fixtures import\` from ${source}.`,
    '# Client secrets are generated placeholders: manifests never contain secret values.',
    '',
  ];
  // lineWidth 0: never fold long strings (descriptions, URIs) onto several lines.
  const body = stringifyYaml(fixture, { lineWidth: 0 });
  const app = fixture.tenants[0]?.applications?.[0];
  const consent = app ? consentExample(app) : undefined;
  const footer = consent ? ['', '    # Consent (a manifest carries none): uncomment to reproduce "Grant admin consent".', consent, ''] : [];
  return [...header, body.trimEnd(), ...footer].join('\n') + (consent ? '' : '\n');
}

// ---------------------------------------------------------------------------------------------
// generate

/** Spec field ← option, for parsing and for naming an option in an error. */
const SPEC_OPTIONS = {
  seed: 'seed',
  users: 'users',
  groups: 'groups',
  membershipsPerUser: 'memberships-per-user',
  nestedGroups: 'nested-groups',
  usersInManyGroups: 'users-in-many-groups',
  usersWithoutMail: 'users-without-mail',
  guests: 'guests',
  microsoft365Groups: 'microsoft365-groups',
} as const satisfies Record<keyof GenerateSpec, string>;

const GENERATE_LABEL = '(mock-entra fixtures generate)';

async function generateCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...Object.fromEntries(Object.values(SPEC_OPTIONS).map((name) => [name, { type: 'string' as const }])),
      extends: { type: 'string' },
      tenant: { type: 'string' },
      'tenant-name': { type: 'string' },
      domain: { type: 'string' },
      out: { type: 'string', short: 'o' },
      format: { type: 'string' },
    },
  });
  const usageError = (message: string): number => {
    io.stderr(`mock-entra fixtures generate: ${message}\n\n${FIXTURES_USAGE}`);
    return 2;
  };
  if (positionals.length > 0) return usageError(`unexpected argument '${positionals[0]}'`);
  const option = (name: string): string | undefined => (values as Record<string, string | undefined>)[name];

  // Numbers only here; their ranges and how they fit together are the validator's, as in a fixture.
  const spec: Record<string, unknown> = { seed: 1, users: 1000, groups: 100 };
  for (const [field, name] of Object.entries(SPEC_OPTIONS)) {
    const text = option(name);
    if (text === undefined) continue;
    if (field === 'usersInManyGroups') {
      const match = /^(\d+):(\d+)$/.exec(text);
      if (!match) return usageError(`--${name} must be COUNT:GROUPS, e.g. 3:250, not '${text}'`);
      spec[field] = { count: Number(match[1]), groups: Number(match[2]) };
    } else {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) return usageError(`--${name} must be a number, not '${text}'`);
      spec[field] = value;
    }
  }
  if (values.tenant !== undefined && !isGuid(values.tenant)) return usageError(`--tenant must be a GUID, not '${values.tenant}'`);
  const out = values.out;
  const format = values.format ?? (out && /\.ya?ml$/i.test(out) ? 'yaml' : 'json');
  if (!isFormat(format)) return usageError(`--format must be json or yaml, not '${format}'`);

  const seed = spec.seed as number;
  const base = values.extends;
  const tenant: TenantSource = {
    ...(base !== undefined ? { extends: base } : {}),
    ...(values.tenant !== undefined || base === undefined ? { id: values.tenant ?? stableUuid(`generated-tenant:${seed}`) } : {}),
    ...(values['tenant-name'] !== undefined || base === undefined ? { displayName: values['tenant-name'] ?? 'Generated tenant' } : {}),
    ...(values.domain !== undefined || base === undefined ? { verifiedDomains: [values.domain ?? `generated-${seed}.onmicrosoft.com`] } : {}),
    generate: spec as unknown as GenerateSpec,
  };

  const started = performance.now();
  let doc: FixtureDocument;
  try {
    doc = await resolveFixture({ tenants: [tenant] }, GENERATE_LABEL);
  } catch (e) {
    if (!(e instanceof FixtureError)) throw e;
    for (const issue of e.issues) io.stderr(`${formatGenerateIssue(issue)}\n`);
    return 1;
  }
  const text = format === 'json' ? fixtureToJson(doc) : stringifyYaml(doc, { lineWidth: 0 });
  if (out !== undefined) await writeFile(out, text);
  else io.stdout(text);
  const t = doc.tenants[0]!;
  const memberships = (t.groups ?? []).reduce((sum, g) => sum + (g.members?.length ?? 0), 0);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  io.stderr(
    `${out !== undefined ? `wrote ${out}` : 'generated'}: tenant ${t.id} (${t.verifiedDomains[0]}), ${t.users?.length ?? 0} users, ${t.groups?.length ?? 0} groups, ${memberships} memberships, seed ${seed}, ${seconds} s\n`,
  );
  return 0;
}

/** Names the option behind a generate spec issue (`--users-in-many-groups: …`); others as usual. */
function formatGenerateIssue(issue: FixtureIssue): string {
  const match = /^tenants\[0\]\.generate\.(\w+)/.exec(issue.path);
  const name = match ? SPEC_OPTIONS[match[1] as keyof GenerateSpec] : undefined;
  if (name) return `mock-entra fixtures generate: --${name}${issue.path.slice(match![0].length)}: ${issue.message}`;
  if (issue.path === 'tenants[0].extends') return `mock-entra fixtures generate: --extends: ${issue.message}`;
  return formatIssue(issue);
}
