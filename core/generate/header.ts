/**
 * The comment a generated file starts with, holding the user's request
 * verbatim so later tools (evaluators, "regenerate") can read it back.
 *
 * Format: the first lines of the file, each `// Request: ` followed by one
 * line of the request (a multi-line request gives several such lines).
 */
export const REQUEST_PREFIX = '// Request: ';

export function requestHeader(request: string): string {
  return request
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => `${REQUEST_PREFIX}${line}`.trimEnd())
    .join('\n');
}

/** The request of a generated file, or undefined when the file does not start with the header. */
export function readRequestFromSource(source: string): string | undefined {
  const lines = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const request: string[] = [];
  for (const line of lines) {
    if (line.startsWith(REQUEST_PREFIX)) request.push(line.slice(REQUEST_PREFIX.length));
    else if (line === REQUEST_PREFIX.trimEnd()) request.push('');
    else break;
  }
  return request.length ? request.join('\n') : undefined;
}

/** Removes a leading request header (e.g. one a model copied into its reply) so it is not written twice. */
export function stripRequestHeader(source: string): string {
  const lines = source.split('\n');
  let i = 0;
  while (i < lines.length && lines[i].replace(/\r$/, '').startsWith(REQUEST_PREFIX.trimEnd())) i++;
  return lines.slice(i).join('\n');
}

/** The file with its request header: header, then the code. */
export function withRequestHeader(request: string, code: string): string {
  return `${requestHeader(request)}\n${stripRequestHeader(code).replace(/^\s*\n/, '')}`;
}
