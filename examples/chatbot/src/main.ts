import { chooseDriver } from './backend.js';
import { runDemo } from './run-demo.js';

const { driver, label } = await chooseDriver();
const s = await runDemo(driver, label, process.env.DATABASE_URL || process.env.FIRESTORE_EMULATOR_HOST ? `-${Date.now().toString(36)}` : '');
const yes = (b: boolean) => (b ? 'yes' : 'NO');
console.log(`
chatcore demo: a chatbot's data on ${s.backend}
  users created ................ ${s.users}
  conversations ................ ${s.conversations}
  messages written ............. ${s.messages}
  paged newest-first ........... ${s.pagedMessages} messages in ${s.pages} pages of 25 (cursor paging, ties broken by id: ${yes(s.pagingInOrder)})
  transaction committed ........ ${yes(s.committedTransaction)} (conversation + user counter, atomically)
  rolled-back transaction ...... left no trace: ${yes(s.rolledBackLeftNoTrace)}
  optimistic-locking conflict .. caught ConflictError: ${yes(s.conflictCaught)} (final version ${s.finalVersion})
  elapsed ...................... ${s.elapsedMs} ms
`);
const ok = s.pagingInOrder && s.committedTransaction && s.rolledBackLeftNoTrace && s.conflictCaught && s.messages === 120 && s.pagedMessages === 120;
process.exitCode = ok ? 0 : 1;
