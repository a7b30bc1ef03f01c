/**
 * The keys that appear more than once in one object of a JSON text, at any depth. JSON.parse
 * keeps the last of them silently; a log line with a key twice means two different things to two
 * readers, so the log tests look at the text itself.
 */
export function duplicateKeys(json: string): string[] {
  const found: string[] = [];
  const open: Array<Set<string> | null> = []; // a set of keys per open object, null per open array
  let keyNext = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      if (keyNext) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        const keys = open.at(-1)!;
        if (keys.has(key)) found.push(key);
        keys.add(key);
        keyNext = false;
      }
      i = end;
    } else if (c === '{') {
      open.push(new Set());
      keyNext = true;
    } else if (c === '[') open.push(null);
    else if (c === '}' || c === ']') open.pop();
    else if (c === ',') keyNext = open.at(-1) instanceof Set;
  }
  return found;
}
