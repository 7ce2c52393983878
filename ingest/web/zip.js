// One member of a ZIP the user chose, read in the browser, so a file's violations can be shown beside
// its source lines: the API has no endpoint for a task's source, and the browser already has the bytes.
// Only the central directory is parsed up front; a member is inflated when its file is opened.
// ZIP64 archives and encrypted members are not read (the page then lists violations by line number).

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_TAIL = 22 + 0xffff; // the end record plus the longest comment
const MAX_SHOWN = 4 * 1024 * 1024; // larger files are listed by line number only

async function bytes(file, start, end) {
  return new DataView(await file.slice(start, end).arrayBuffer());
}

function findEnd(view) {
  for (let i = view.byteLength - 22; i >= 0; i -= 1) {
    if (view.getUint32(i, true) === EOCD) return i;
  }
  return -1;
}

// name -> {offset, method, size, length, encrypted}
export async function zipMembers(file) {
  const members = new Map();
  const tailStart = Math.max(0, file.size - MAX_TAIL);
  const tail = await bytes(file, tailStart, file.size);
  const end = findEnd(tail);
  if (end < 0) return members;
  const count = tail.getUint16(end + 10, true);
  const dirSize = tail.getUint32(end + 12, true);
  const dirOffset = tail.getUint32(end + 16, true);
  if (dirOffset === 0xffffffff || count === 0xffff) return members; // ZIP64
  const dir = await bytes(file, dirOffset, dirOffset + dirSize);
  let at = 0;
  for (let i = 0; i < count && at + 46 <= dir.byteLength; i += 1) {
    if (dir.getUint32(at, true) !== CENTRAL) break;
    const flags = dir.getUint16(at + 8, true);
    const nameLength = dir.getUint16(at + 28, true);
    const rawName = new Uint8Array(dir.buffer, dir.byteOffset + at + 46, nameLength);
    // As the service names members: the stored name with backslashes as slashes.
    const name = new TextDecoder().decode(rawName).replaceAll("\\", "/");
    members.set(name, {
      offset: dir.getUint32(at + 42, true),
      method: dir.getUint16(at + 10, true),
      size: dir.getUint32(at + 20, true),
      length: dir.getUint32(at + 24, true),
      encrypted: (flags & 1) === 1,
    });
    at += 46 + nameLength + dir.getUint16(at + 30, true) + dir.getUint16(at + 32, true);
  }
  return members;
}

// SQL text as the service decodes it: a UTF-8 or UTF-16 byte order mark, else UTF-8.
export function decodeSql(buffer) {
  const head = new Uint8Array(buffer.slice(0, 3));
  if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder("utf-16le").decode(buffer);
  if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder("utf-16be").decode(buffer);
  return new TextDecoder("utf-8").decode(buffer); // drops a UTF-8 byte order mark
}

async function inflate(blob) {
  const stream = blob.stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Response(stream).arrayBuffer();
}

// The member's text, or null when it cannot be shown (missing, encrypted, too large, unknown method).
export async function zipText(file, members, name) {
  const member = members.get(name);
  if (!member || member.encrypted || member.length > MAX_SHOWN) return null;
  const local = await bytes(file, member.offset, member.offset + 30);
  if (local.getUint32(0, true) !== LOCAL) return null;
  const start = member.offset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  const data = file.slice(start, start + member.size);
  if (member.method === 0) return decodeSql(await data.arrayBuffer());
  if (member.method === 8 && typeof DecompressionStream === "function") return decodeSql(await inflate(data));
  return null;
}
