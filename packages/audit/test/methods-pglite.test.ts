import { registerMethodMatrix } from './helpers/method-matrix.js';

registerMethodMatrix('pglite');
