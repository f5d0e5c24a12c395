// docs/plugins.md: the app prelude (users, conversations, messages, db).
export * from './app.js';
