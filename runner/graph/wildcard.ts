/**
 * Wildcard matching for selector values, compiled once per pattern.
 *
 * - {@link nameMatcher}: fnmatch-style as dbt uses for names, tags and fqn parts: `*` any run of
 *   characters, `?` one character, `[abc]`/`[!abc]` a character class.
 * - {@link pathMatcher}: glob-style for file paths: `*` and `?` do not cross `/`, `**` does.
 */

const SPECIAL = /[*?[\]]/;

/** True when the text contains a wildcard character. */
export function hasWildcard(text: string): boolean {
  return SPECIAL.test(text);
}

function escapeRe(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

function compile(pattern: string, pathMode: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pathMode && pattern[i + 1] === '*') {
        // `**/` matches zero or more folders; a bare `**` anything.
        if (pattern[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else {
        re += pathMode ? '[^/]*' : '.*';
      }
    } else if (ch === '?') {
      re += pathMode ? '[^/]' : '.';
    } else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        re += '\\[';
      } else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else {
      re += escapeRe(ch);
    }
  }
  return new RegExp(`^${re}$`, 's');
}

/** A predicate for a name/tag/fqn pattern (exact comparison when there is no wildcard). */
export function nameMatcher(pattern: string): (text: string) => boolean {
  if (!hasWildcard(pattern)) return (text) => text === pattern;
  const re = compile(pattern, false);
  return (text) => re.test(text);
}

/** A predicate for a path glob (exact comparison when there is no wildcard). */
export function pathMatcher(pattern: string): (text: string) => boolean {
  if (!hasWildcard(pattern)) return (text) => text === pattern;
  const re = compile(pattern, true);
  return (text) => re.test(text);
}
