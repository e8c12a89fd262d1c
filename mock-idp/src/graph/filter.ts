import { GRAPH_ERRORS, graphError } from '../errors/graph-error.js';
import type { EntitySet } from './entity-sets.js';
import type { FilterCapability, Support } from './filter-capabilities.js';
import { GraphFailure } from './graph-failure.js';
import type { Json } from './resources.js';

/**
 * Graph's `$filter` on directory objects, the subset real clients use: `eq`, `in (…)`,
 * `startswith(prop,'x')`, `groupTypes/any(c:c eq 'Unified')` (and `any` on the other string
 * collections), combined with `and` / `or` / parentheses. Advanced queries (ConsistencyLevel:
 * eventual and $count=true) add `ne`, `not` and `endswith` where Graph allows them.
 * Which property takes which operator, by default or only in advanced queries, is each entity
 * set's table (entity-sets.ts, filter-capabilities.ts), from https://learn.microsoft.com/graph/aad-advanced-queries.
 *
 * Refusals, in Graph's words: a filter that does not parse or type-check → 400 BadRequest
 * "Invalid filter clause"; a property the type does not have → "Could not find a property…";
 * a property or operator the directory cannot filter on → 400 Request_UnsupportedQuery
 * "Unsupported or invalid query filter clause specified for property…"; an advanced-only
 * operator without the advanced parameters → 400 Request_UnsupportedQuery "Operator '…' is not
 * supported because the required parameters might be missing…".
 */

type Literal = { kind: 'string'; v: string } | { kind: 'bool'; v: boolean } | { kind: 'null' } | { kind: 'number'; v: number } | { kind: 'date'; v: string };
type LambdaBody =
  | { t: 'cmp'; op: 'eq' | 'ne'; value: Literal }
  | { t: 'fn'; fn: 'startswith' | 'endswith'; value: Literal }
  | { t: 'and' | 'or'; l: LambdaBody; r: LambdaBody };

export type FilterExpr =
  | { t: 'and' | 'or'; l: FilterExpr; r: FilterExpr }
  | { t: 'not'; e: FilterExpr }
  | { t: 'cmp'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; prop: string; value: Literal }
  | { t: 'in'; prop: string; values: Literal[] }
  | { t: 'fn'; fn: 'startswith' | 'endswith' | 'contains'; prop: string; value: Literal }
  | { t: 'any'; prop: string; body: LambdaBody };

// ---------------------------------------------------------------- tokenizer and parser

type Token = { k: 'id'; v: string } | { k: 'str'; v: string } | { k: 'num'; v: number } | { k: 'date'; v: string } | { k: 'p'; v: '(' | ')' | ',' | ':' | '/' };

/** OData Edm.Date / Edm.DateTimeOffset literals: 2021-11-01, 2021-11-01T08:00:00Z. */
const DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?/;

const invalid = (): GraphFailure => new GraphFailure(GRAPH_ERRORS.invalidFilter);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ('(),:/'.includes(c)) {
      out.push({ k: 'p', v: c as '(' | ')' | ',' | ':' | '/' });
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw invalid();
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += src[i];
        i++;
      }
      out.push({ k: 'str', v });
    } else if (DATE.test(src.slice(i))) {
      const m = DATE.exec(src.slice(i))!;
      out.push({ k: 'date', v: m[0] });
      i += m[0].length;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) throw invalid();
      out.push({ k: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_.$]*/.exec(src.slice(i))!;
      out.push({ k: 'id', v: m[0] });
      i += m[0].length;
    } else {
      throw invalid();
    }
  }
  return out;
}

/**
 * How deep parentheses and `not` may nest. Each level is a few frames of this recursive-descent
 * parser (and of the checks and evaluation after it): 3,000 nested parentheses overflowed the
 * stack and answered 500. ODataLib's own expression parser has a recursion limit too (the
 * `maxDepth` of UriQueryExpressionParser, https://learn.microsoft.com/dotnet/api/microsoft.odata.uriparser.uriqueryexpressionparser.-ctor),
 * but the limit Graph sets is not documented: 100 here, far beyond any real filter, and past it
 * the answer for a filter that does not parse. UNCONFIRMED: Graph's own limit and wording.
 */
export const MAX_FILTER_DEPTH = 100;

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['startswith', 'endswith', 'contains']);

class Parser {
  private i = 0;
  /** Parentheses and `not` open around the token being read. */
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): FilterExpr {
    const e = this.or();
    if (this.i !== this.tokens.length) throw invalid();
    return e;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw invalid();
    return t;
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t?.k === 'id' && t.v.toLowerCase() === w;
  }
  private expectP(v: string): void {
    const t = this.next();
    if (t.k !== 'p' || t.v !== v) throw invalid();
  }
  /** Parses one nested level with `inner`, refusing the filter past MAX_FILTER_DEPTH. */
  private nested<R>(inner: () => R): R {
    if (++this.depth > MAX_FILTER_DEPTH) throw invalid();
    const r = inner();
    this.depth--;
    return r;
  }

  private or(): FilterExpr {
    let l = this.and();
    while (this.isWord('or')) {
      this.i++;
      l = { t: 'or', l, r: this.and() };
    }
    return l;
  }
  private and(): FilterExpr {
    let l = this.unary();
    while (this.isWord('and')) {
      this.i++;
      l = { t: 'and', l, r: this.unary() };
    }
    return l;
  }
  private unary(): FilterExpr {
    if (this.isWord('not')) {
      this.i++;
      return { t: 'not', e: this.nested(() => this.unary()) };
    }
    return this.primary();
  }
  private literal(): Literal {
    const t = this.next();
    if (t.k === 'str') return { kind: 'string', v: t.v };
    if (t.k === 'num') return { kind: 'number', v: t.v };
    if (t.k === 'date') return { kind: 'date', v: t.v };
    if (t.k === 'id') {
      const w = t.v.toLowerCase();
      if (w === 'true' || w === 'false') return { kind: 'bool', v: w === 'true' };
      if (w === 'null') return { kind: 'null' };
    }
    throw invalid();
  }
  private primary(): FilterExpr {
    const t = this.next();
    if (t.k === 'p' && t.v === '(') {
      const e = this.nested(() => this.or());
      this.expectP(')');
      return e;
    }
    if (t.k !== 'id') throw invalid();
    const word = t.v.toLowerCase();
    if (FUNCTIONS.has(word) && this.peek()?.k === 'p' && (this.peek() as { v: string }).v === '(') {
      this.expectP('(');
      const prop = this.next();
      if (prop.k !== 'id') throw invalid();
      this.expectP(',');
      const value = this.literal();
      this.expectP(')');
      return { t: 'fn', fn: word as 'startswith' | 'endswith' | 'contains', prop: prop.v, value };
    }
    const prop = t.v;
    const p = this.peek();
    if (p?.k === 'p' && p.v === '/') {
      this.i++;
      const lambda = this.next();
      if (lambda.k !== 'id' || !['any', 'all'].includes(lambda.v.toLowerCase())) throw invalid();
      // `all` is OData, but the directory answers only `any` (UNCONFIRMED wording for `all`).
      if (lambda.v.toLowerCase() === 'all') throw invalid();
      this.expectP('(');
      const v = this.next();
      if (v.k !== 'id') throw invalid();
      this.expectP(':');
      const body = this.lambdaOr(v.v);
      this.expectP(')');
      return { t: 'any', prop, body };
    }
    const op = this.next();
    if (op.k !== 'id') throw invalid();
    const o = op.v.toLowerCase();
    if (COMPARISONS.has(o)) return { t: 'cmp', op: o as 'eq', prop, value: this.literal() };
    if (o === 'in') {
      this.expectP('(');
      const values = [this.literal()];
      while (this.peek()?.k === 'p' && (this.peek() as { v: string }).v === ',') {
        this.i++;
        values.push(this.literal());
      }
      this.expectP(')');
      return { t: 'in', prop, values };
    }
    throw invalid();
  }

  private lambdaOr(v: string): LambdaBody {
    let l = this.lambdaAnd(v);
    while (this.isWord('or')) {
      this.i++;
      l = { t: 'or', l, r: this.lambdaAnd(v) };
    }
    return l;
  }
  private lambdaAnd(v: string): LambdaBody {
    let l = this.lambdaPrimary(v);
    while (this.isWord('and')) {
      this.i++;
      l = { t: 'and', l, r: this.lambdaPrimary(v) };
    }
    return l;
  }
  private lambdaPrimary(v: string): LambdaBody {
    const t = this.next();
    if (t.k === 'p' && t.v === '(') {
      const e = this.nested(() => this.lambdaOr(v));
      this.expectP(')');
      return e;
    }
    if (t.k !== 'id') throw invalid();
    const word = t.v.toLowerCase();
    if ((word === 'startswith' || word === 'endswith') && this.peek()?.k === 'p') {
      this.expectP('(');
      const arg = this.next();
      if (arg.k !== 'id' || arg.v !== v) throw invalid();
      this.expectP(',');
      const value = this.literal();
      this.expectP(')');
      return { t: 'fn', fn: word, value };
    }
    // Only the range variable itself: `c eq 'Unified'` (not `c/issuer eq …`).
    if (t.v !== v) throw invalid();
    const op = this.next();
    if (op.k !== 'id' || !['eq', 'ne'].includes(op.v.toLowerCase())) throw invalid();
    return { t: 'cmp', op: op.v.toLowerCase() as 'eq' | 'ne', value: this.literal() };
  }
}

export function parseFilter(src: string): FilterExpr {
  if (src.trim() === '') throw invalid();
  return new Parser(tokenize(src)).parse();
}

// ---------------------------------------------------------------- what the directory can filter

export interface FilterContext {
  /** The entity sets of the collection's items: one for /users, /groups and casts; several for directoryObjects. */
  sets: readonly EntitySet[];
  /** ConsistencyLevel: eventual and $count=true. */
  advanced: boolean;
}

type Capabilities = Array<[EntitySet, FilterCapability]>;

function capabilityOf(ctx: FilterContext, prop: string): { name: string; caps: Capabilities } {
  const found: Array<[EntitySet, string]> = [];
  for (const set of ctx.sets) {
    const name = set.propertyName(prop);
    if (name) found.push([set, name]);
  }
  const first = found[0];
  if (!first) {
    throw new GraphFailure(
      graphError(GRAPH_ERRORS.unknownFilterProperty, { property: prop, type: ctx.sets.length === 1 ? ctx.sets[0]!.kind : 'directoryObject' }),
    );
  }
  const caps: Capabilities = [];
  for (const [set, name] of found) {
    const c = set.filters[name];
    if (c) caps.push([set, c]);
  }
  if (caps.length === 0) throw unsupported(first[1], first[0]);
  return { name: first[1], caps };
}

const unsupported = (property: string, set: EntitySet | undefined): GraphFailure =>
  new GraphFailure(graphError(GRAPH_ERRORS.unsupportedFilterProperty, { property, resource: set ? set.resource : 'DirectoryObject' }));

/** Checks that the operator is supported for the property (in this mode), else throws Graph's refusal. */
function require(ctx: FilterContext, name: string, caps: Capabilities, key: keyof Omit<FilterCapability, 'type'>, label: string): void {
  const levels = caps.map(([, c]) => c[key]).filter((x): x is Support => x !== undefined);
  if (levels.length === 0) throw unsupported(name, caps[0]?.[0]);
  if (!ctx.advanced && !levels.includes('d')) throw new GraphFailure(graphError(GRAPH_ERRORS.advancedOperator, { operator: label }));
}

function checkLiteral(cap: FilterCapability, lit: Literal): void {
  if (lit.kind === 'null') return;
  if (cap.type === 'bool' ? lit.kind !== 'bool' : lit.kind !== 'string') throw invalid();
}

/** Validates the expression against the collection; throws Graph's refusal. */
export function checkFilter(expr: FilterExpr, ctx: FilterContext): void {
  switch (expr.t) {
    case 'and':
    case 'or':
      checkFilter(expr.l, ctx);
      checkFilter(expr.r, ctx);
      return;
    case 'not':
      if (!ctx.advanced) throw new GraphFailure(graphError(GRAPH_ERRORS.advancedOperator, { operator: 'not' }));
      checkFilter(expr.e, ctx);
      return;
    case 'cmp': {
      const { name, caps } = capabilityOf(ctx, expr.prop);
      if (expr.op !== 'eq' && expr.op !== 'ne') throw unsupported(name, caps[0]?.[0]);
      if (caps.every(([, c]) => c.type === 'collection')) throw invalid();
      for (const [, c] of caps) checkLiteral(c, expr.value);
      if (expr.value.kind === 'null') require(ctx, name, caps, 'null', expr.op);
      else require(ctx, name, caps, expr.op, expr.op);
      return;
    }
    case 'in': {
      const { name, caps } = capabilityOf(ctx, expr.prop);
      for (const [, c] of caps) for (const v of expr.values) checkLiteral(c, v);
      require(ctx, name, caps, 'in', 'in');
      return;
    }
    case 'fn': {
      const { name, caps } = capabilityOf(ctx, expr.prop);
      if (expr.fn === 'contains') throw unsupported(name, caps[0]?.[0]);
      for (const [, c] of caps) checkLiteral(c, expr.value);
      if (expr.value.kind !== 'string') throw invalid();
      require(ctx, name, caps, expr.fn, expr.fn === 'startswith' ? 'startsWith' : 'endsWith');
      return;
    }
    case 'any': {
      const { name, caps } = capabilityOf(ctx, expr.prop);
      if (!caps.some(([, c]) => c.type === 'collection')) throw invalid();
      const walk = (b: LambdaBody): void => {
        switch (b.t) {
          case 'and':
          case 'or':
            walk(b.l);
            walk(b.r);
            return;
          case 'fn':
            if (b.value.kind !== 'string') throw invalid();
            if (b.fn === 'endswith') require(ctx, name, caps, 'endswith', 'endsWith');
            else require(ctx, name, caps, 'anyStartswith', 'startsWith');
            return;
          case 'cmp':
            if (b.value.kind !== 'string') throw invalid();
            if (b.op === 'ne') require(ctx, name, caps, 'ne', 'ne');
            else require(ctx, name, caps, 'any', 'any');
        }
      };
      walk(expr.body);
      return;
    }
  }
}

// ---------------------------------------------------------------- evaluation

const lower = (v: Json): string | undefined => (typeof v === 'string' ? v.toLowerCase() : undefined);

/** Equality as the directory does it: strings case-insensitively. */
function equals(v: Json, lit: Literal): boolean {
  if (lit.kind === 'null') return v === null || (Array.isArray(v) && v.length === 0);
  if (lit.kind === 'bool') return v === lit.v;
  if (lit.kind === 'string') return lower(v) === lit.v.toLowerCase();
  if (lit.kind === 'date') return v === lit.v;
  return v === lit.v;
}

function lambda(b: LambdaBody, x: Json): boolean {
  switch (b.t) {
    case 'and':
      return lambda(b.l, x) && lambda(b.r, x);
    case 'or':
      return lambda(b.l, x) || lambda(b.r, x);
    case 'fn': {
      const s = lower(x);
      const lit = (b.value as { v: string }).v.toLowerCase();
      return s !== undefined && (b.fn === 'startswith' ? s.startsWith(lit) : s.endsWith(lit));
    }
    case 'cmp':
      return b.op === 'eq' ? equals(x, b.value) : !equals(x, b.value);
  }
}

/** An object a filter or search is evaluated on: its set, the object, its id. */
export interface Subject {
  set: EntitySet;
  o: unknown;
  id: string;
}

function valueOf(subject: Subject, prop: string): Json | undefined {
  const name = subject.set.propertyName(prop);
  if (!name) return undefined;
  return subject.set.value(subject.o, subject.id, name);
}

/** Whether the object satisfies the (checked) filter. A property the object's type lacks matches nothing. */
export function matches(expr: FilterExpr, subject: Subject): boolean {
  switch (expr.t) {
    case 'and':
      return matches(expr.l, subject) && matches(expr.r, subject);
    case 'or':
      return matches(expr.l, subject) || matches(expr.r, subject);
    case 'not':
      return !matches(expr.e, subject);
    case 'cmp': {
      const v = valueOf(subject, expr.prop);
      if (v === undefined) return false;
      return expr.op === 'eq' ? equals(v, expr.value) : !equals(v, expr.value);
    }
    case 'in': {
      const v = valueOf(subject, expr.prop);
      return v !== undefined && expr.values.some((lit) => equals(v, lit));
    }
    case 'fn': {
      const v = lower(valueOf(subject, expr.prop) ?? null);
      const lit = (expr.value as { v: string }).v.toLowerCase();
      return v !== undefined && (expr.fn === 'startswith' ? v.startsWith(lit) : v.endsWith(lit));
    }
    case 'any': {
      const v = valueOf(subject, expr.prop);
      return Array.isArray(v) && v.some((x) => lambda(expr.body, x));
    }
  }
}

/** The ids an `id eq '…' or id eq '…'` filter names (groups/delta's only filter), or undefined if it is anything else. */
export function idsOfIdFilter(expr: FilterExpr): string[] | undefined {
  if (expr.t === 'or') {
    const l = idsOfIdFilter(expr.l);
    const r = idsOfIdFilter(expr.r);
    return l && r ? [...l, ...r] : undefined;
  }
  if (expr.t === 'cmp' && expr.op === 'eq' && expr.prop.toLowerCase() === 'id' && expr.value.kind === 'string') return [expr.value.v.toLowerCase()];
  return undefined;
}
