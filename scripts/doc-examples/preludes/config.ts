// docs/configuration.md: the app prelude and the reader's own driver factory.
export * from './app.js';
export { myDriver } from './custom-driver.js';
