/**
 * Reads the Mermaid sequence diagrams of a Markdown page: who takes part, and which HTTP headers the messages name,
 * so a test can hold them to the services and headers that exist. A participant is named by the first word of its
 * label (`participant FA as forward-auth :4181`), with an optional `:port`. In a message's text, a header is a
 * name followed by `: ` (`X-Auth-User: demo`, `Authorization: Bearer foobar`), or any `X-...` or `l5d-...` word.
 */

/** A participant of a sequence diagram. */
export interface Participant {
  /** The id messages use (`FA`). */
  id: string;
  /** The first word of its label (`forward-auth`). */
  name: string;
  /** The port its label names (`:4181`), if any. */
  port?: number;
}

/** A sequence diagram of a page. */
export interface SequenceDiagram {
  /** 1-based line of the opening fence. */
  line: number;
  participants: Participant[];
  /** Each header name a message mentions, with the 1-based page line of the message. */
  headers: Array<{ name: string; line: number }>;
}

const PARTICIPANT = /^\s*(?:participant|actor)\s+(\S+)(?:\s+as\s+(.+))?$/;
// `A->>B: text`, with any Mermaid arrow (->, -->, ->>, -->>, -x, --x, -), --), <<->>) and activation marks.
const MESSAGE = /^\s*([^\s:+-]+)\s*(?:<<)?-{1,2}(?:>>|>|x|\))\s*[+-]?([^\s:+-]+)\s*:(.*)$/;
const NAMED_HEADER = /(?:^|[\s>,(])([A-Za-z][A-Za-z0-9-]*): /g;
const PREFIXED_HEADER = /(?<![A-Za-z0-9-])((?:X|l5d)-[A-Za-z0-9-]*[A-Za-z0-9])/gi;

function participantOf(id: string, label: string): Participant {
  const [first = id] = label.trim().split(/[\s(]+/);
  const port = /(?:^|\s):(\d+)(?:\s|$)/.exec(label)?.[1];
  return { id, name: first, ...(port === undefined ? {} : { port: Number(port) }) };
}

/** The header names a message's text mentions, each once. */
export function headersOf(text: string): string[] {
  const plain = text.replaceAll(/<br\s*\/?>/g, '\n');
  const names = [
    ...[...plain.matchAll(NAMED_HEADER)].map((m) => m[1] ?? ''),
    ...[...plain.matchAll(PREFIXED_HEADER)].map((m) => m[1] ?? ''),
  ];
  return [...new Set(names.filter(Boolean))];
}

/** Every Mermaid sequence diagram of a Markdown text. */
export function sequenceDiagrams(markdown: string): SequenceDiagram[] {
  const lines = markdown.split('\n');
  const diagrams: SequenceDiagram[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```mermaid\s*$/.test(lines[i] ?? '')) continue;
    const start = i;
    const body: Array<{ text: string; line: number }> = [];
    for (i += 1; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) {
      body.push({ text: lines[i] ?? '', line: i + 1 });
    }
    const content = body.filter((l) => l.text.trim() !== '' && !l.text.trim().startsWith('%%'));
    if (content[0]?.text.trim() !== 'sequenceDiagram') continue;
    const participants = new Map<string, Participant>();
    const headers: SequenceDiagram['headers'] = [];
    for (const { text, line } of content.slice(1)) {
      const declared = PARTICIPANT.exec(text);
      if (declared) {
        const [, id = '', label] = declared;
        participants.set(id, participantOf(id, label ?? id));
        continue;
      }
      const message = MESSAGE.exec(text);
      if (!message) continue;
      const [, from = '', to = '', said = ''] = message;
      // A participant a message introduces without declaring it is named by its id.
      for (const id of [from, to]) if (!participants.has(id)) participants.set(id, participantOf(id, id));
      for (const name of headersOf(said)) headers.push({ name, line });
    }
    diagrams.push({ line: start + 1, participants: [...participants.values()], headers });
  }
  return diagrams;
}
