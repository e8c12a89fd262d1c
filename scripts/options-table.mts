// Prints the README's "### Options" table from the option declarations (mock-idp/src/config/options.ts):
// npm run docs:options. mock-idp/test/docs/readme.test.ts fails while the README holds another.
import { optionsTable } from '../mock-idp/src/config/options.ts';
console.log(optionsTable());
