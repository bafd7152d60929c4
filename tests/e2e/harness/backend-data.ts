// What the backend stored, seen two ways:
// * its API (`GET /user` with the user's own token), which is what the app itself relies on;
// * its SQLite file, opened read-only with the `sqlite3` command-line shell, for facts the API cannot show
//   ("exactly one profile row", "saved once"). The CLI rather than an npm SQLite binding: Debian ships it, and
//   native npm modules (better-sqlite3) fetch prebuilt binaries from outside the npm registry or need a compiler
//   plus Node headers, neither of which a fresh machine here has.

import { execFileSync } from 'node:child_process';

import type { APIRequestContext } from '@playwright/test';

export interface StoredUser {
  id: string;
  name: string | null;
  email: string | null;
}

export interface ProfileRow {
  user_id: string;
  name: string;
  save_count: number;
  created_at: string;
  updated_at: string;
}

export class BackendData {
  constructor(
    private readonly request: APIRequestContext,
    private readonly apiUrl: string,
    /** The SQLite file, or a `postgres://` URL (the fleet's database, read with `psql`). */
    private readonly database: string,
  ) {}

  /** `GET /user` as the holder of `token`; the status and body as the backend answered. */
  async currentUser(token: string): Promise<{ status: number; body: StoredUser }> {
    const response = await this.request.get(`${this.apiUrl}/user`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status(), body: await response.json() };
  }

  /** Runs a read-only query on the backend's database. `mode=ro` opens it without ever writing; WAL readers see
   * committed transactions of the running backend. */
  query<T>(sql: string): T[] {
    if (this.database.startsWith('postgres://')) {
      // One JSON array from the server, read-only transaction.
      const wrapped = `BEGIN READ ONLY; SELECT COALESCE(json_agg(t), '[]'::json) FROM (${sql}) t; COMMIT;`;
      const out = execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', this.database, '-c', wrapped], {
        encoding: 'utf8',
      });
      return JSON.parse(out.trim().split('\n').find((line) => line.startsWith('[')) ?? '[]') as T[];
    }
    let out: string;
    try {
      out = execFileSync('sqlite3', ['-json', `file:${this.database}?mode=ro`, sql], { encoding: 'utf8' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error('the `sqlite3` command is missing: install it (Debian: apt-get install -y sqlite3)');
      }
      throw error;
    }
    return out.trim() === '' ? [] : (JSON.parse(out) as T[]);
  }

  profileRows(userId?: string): ProfileRow[] {
    // The id comes from our own token's `sub`; quoting it keeps a strange id from changing the query.
    const where = userId === undefined ? '' : ` WHERE user_id = '${userId.replace(/'/g, "''")}'`;
    return this.query<ProfileRow>(`SELECT user_id, name, save_count, created_at, updated_at FROM profiles${where}`);
  }
}

/** The `sub` claim of a JWT (no signature check: the backend already checked it; this only names the user). */
export function tokenSubject(jwt: string): string {
  const payload = jwt.split('.')[1];
  if (!payload) throw new Error(`not a JWT: ${jwt.slice(0, 20)}…`);
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).sub;
}
