#!/usr/bin/env node
// Smoke test of a running chatbot service, over HTTP only:
//   node scripts/smoke.mjs [base URL, default http://127.0.0.1:8080] [messages, default 50]
// Creates a user, a conversation and N messages, pages them back 20 at a
// time (oldest first, then newest first), and checks that every message comes
// back once, in order. Prints a JSON summary; exits 1 on the first mismatch.
const base = (process.argv[2] ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const count = Number(process.argv[3] ?? 50);
const started = Date.now();

async function call(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

function check(ok, what) {
  if (!ok) {
    console.error(`smoke: FAILED: ${what}`);
    process.exit(1);
  }
}

async function pageAll(path) {
  const ids = [];
  let after = null;
  let pages = 0;
  do {
    const page = await call('GET', `${path}&limit=20${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    pages++;
    for (let i = 1; i < page.items.length; i++) {
      const [a, b] = [page.items[i - 1], page.items[i]];
      const dir = path.includes('order=desc') ? -1 : 1;
      check(dir * (Date.parse(b.sentAt) - Date.parse(a.sentAt)) > 0 || (a.sentAt === b.sentAt && dir * (b.id > a.id ? 1 : -1) > 0), `page ${pages} is in (sentAt, id) order`);
    }
    ids.push(...page.items.map((m) => m.id));
    after = page.nextCursor;
  } while (after);
  return { ids, pages };
}

const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const user = await call('POST', '/users', { name: 'Smoke Test', handle: `smoke-${suffix}`, email: `smoke-${suffix}@example.com` });
const conversation = await call('POST', '/conversations', { userId: user.id, title: 'Smoke test' });
const created = [];
for (let i = 0; i < count; i++) {
  const m = await call('POST', `/conversations/${conversation.id}/messages`, { role: i % 2 ? 'assistant' : 'user', body: `message ${i + 1}`, tokens: i });
  created.push(m.id);
}
const forward = await pageAll(`/conversations/${conversation.id}/messages?order=asc`);
const backward = await pageAll(`/conversations/${conversation.id}/messages?order=desc`);
const after = await call('GET', `/conversations/${conversation.id}`);
const owner = await call('GET', `/users/${user.id}`);

check(forward.ids.length === count && new Set(forward.ids).size === count, `${count} distinct messages paged oldest first (got ${forward.ids.length})`);
check(forward.ids.every((id) => created.includes(id)), 'every paged message is one this script created');
check(JSON.stringify([...backward.ids].reverse()) === JSON.stringify(forward.ids), 'newest first is the reverse of oldest first');
check(after.messageCount === count, `the conversation counts ${count} messages (got ${after.messageCount})`);
check(owner.conversationCount === 1 && owner.email === user.email, 'the user counts one conversation and reads back its email');

console.log(JSON.stringify({ ok: true, user: user.id, conversation: conversation.id, messages: count, pages: forward.pages, elapsedMs: Date.now() - started }));
